/**
 * Price alerts' data functions. Every one takes the acting player and is scoped to them: nobody
 * reads, changes or deletes another player's alert (an alert that is not yours is "not found").
 * Checks (tick, bounds, limit) live in the pure app/utils/alerts/price-form.ts; these store.
 */
import { sql } from "drizzle-orm";
import type { IndexedPriceAlert } from "../../party/market/price-alerts";
import { rows, type Db } from "../db";
import { fail, type Result } from "../result";

/** Active alerts a player may hold at once, over all markets. */
export const PRICE_ALERT_LIMIT = 50;

export interface PriceAlert {
  id: string;
  market: string;
  itemName: string;
  direction: "above" | "below";
  price: number;
  cooldownSeconds: number | null;
  status: "active" | "triggered";
  createdAt: string;
  lastFiredAt: string | null;
}

const columns = sql`
  a.id::text as id, a.market_slug as market, t.name as "itemName", a.direction, a.price::text as price,
  a.cooldown_seconds as "cooldownSeconds", a.status,
  to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
  to_char(a.last_fired_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "lastFiredAt"`;

const toAlert = (r: PriceAlert & { price: string | number }): PriceAlert => ({ ...r, price: Number(r.price) });

export async function listPriceAlerts(db: Db, q: { playerId: string; market?: string }): Promise<PriceAlert[]> {
  const found = await rows<PriceAlert & { price: string }>(db, sql`
    select ${columns} from price_alerts a join markets m on m.slug = a.market_slug join item_types t on t.id = m.item_type_id
    where a.player_id = ${q.playerId} ${q.market ? sql`and a.market_slug = ${q.market}` : sql``}
    order by a.status, a.created_at desc, a.id limit 200`);
  return found.map(toAlert);
}

export async function getPriceAlert(db: Db, q: { playerId: string; id: string }): Promise<PriceAlert | undefined> {
  if (!UUID.test(q.id)) return undefined;
  const [found] = await rows<PriceAlert & { price: string }>(db, sql`
    select ${columns} from price_alerts a join markets m on m.slug = a.market_slug join item_types t on t.id = m.item_type_id
    where a.player_id = ${q.playerId} and a.id = ${q.id}::uuid`);
  return found ? toAlert(found) : undefined;
}

/**
 * Store a checked alert. The limit is checked under a lock on the player's balance row (every
 * player has one), so two requests at once cannot both pass it.
 */
export async function createPriceAlert(
  db: Db,
  q: { playerId: string; market: string; direction: "above" | "below"; price: number; cooldownSeconds: number | null },
): Promise<Result<{ alert: PriceAlert }>> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    await tx.execute(sql`select 1 from players where id = ${q.playerId} for update`);
    const [count] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from price_alerts where player_id = ${q.playerId} and status = 'active'`);
    if ((count?.n ?? 0) >= PRICE_ALERT_LIMIT) {
      return fail(409, "price_alert_limit", `You already have ${PRICE_ALERT_LIMIT} active price alerts, the most one player may hold. Delete one first.`);
    }
    const [created] = await rows<{ id: string }>(tx, sql`
      insert into price_alerts (player_id, market_slug, direction, price, cooldown_seconds)
      values (${q.playerId}, ${q.market}, ${q.direction}, ${q.price}, ${q.cooldownSeconds}) returning id::text as id`);
    const [alert] = await rows<PriceAlert & { price: string }>(tx, sql`
      select ${columns} from price_alerts a join markets m on m.slug = a.market_slug join item_types t on t.id = m.item_type_id
      where a.id = ${created!.id}::uuid`);
    return { ok: true as const, alert: toAlert(alert!) };
  });
}

/** Delete one of the player's alerts; false when there is no such alert of theirs. */
export async function deletePriceAlert(db: Db, q: { playerId: string; id: string }): Promise<{ market: string } | undefined> {
  if (!UUID.test(q.id)) return undefined;
  const [gone] = await rows<{ market: string }>(db, sql`
    delete from price_alerts where id = ${q.id}::uuid and player_id = ${q.playerId} returning market_slug as market`);
  return gone;
}

/** What a market room indexes at open. */
export async function loadActivePriceAlerts(db: Db, slug: string): Promise<IndexedPriceAlert[]> {
  const found = await rows<{ id: string; playerId: string; direction: "above" | "below"; price: string; cooldownSeconds: number | null; lastFiredAt: string | null }>(db, sql`
    select id::text as id, player_id::text as "playerId", direction, price::text as price, cooldown_seconds as "cooldownSeconds",
      (extract(epoch from last_fired_at) * 1000)::bigint::text as "lastFiredAt"
    from price_alerts where market_slug = ${slug} and status = 'active'`);
  return found.map((r) => ({ ...r, price: Number(r.price), lastFiredAt: r.lastFiredAt === null ? null : Number(r.lastFiredAt) }));
}

/** The index's view of one alert (what the edge sends the room after creating it). */
export function indexed(playerId: string, a: PriceAlert): IndexedPriceAlert {
  return {
    id: a.id, playerId, direction: a.direction, price: a.price, cooldownSeconds: a.cooldownSeconds,
    lastFiredAt: a.lastFiredAt === null ? null : Date.parse(a.lastFiredAt),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The player's active alerts on one market (the market page's link). */
export async function activePriceAlertCount(db: Db, playerId: string, slug: string): Promise<number> {
  const [r] = await rows<{ n: number }>(db, sql`
    select count(*)::int as n from price_alerts where player_id = ${playerId} and market_slug = ${slug} and status = 'active'`);
  return r?.n ?? 0;
}
