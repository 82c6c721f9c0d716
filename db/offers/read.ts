/** Reading offers. Every public read is scoped to a participant: nobody sees other players' offers. */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import type { Offer, OfferLine } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type OfferRow = Omit<Offer, "lines">;

const select = sql`
  select o.id::text as id, o.from_player_id::text as "fromPlayerId", f.username as "fromUsername",
    o.to_player_id::text as "toPlayerId", t.username as "toUsername", o.message, o.status,
    o.counter_of_id::text as "counterOfId", o.failure_reason as "failureReason",
    to_char(o.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "createdAt",
    to_char(o.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "expiresAt",
    to_char(o.resolved_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "resolvedAt"
  from trade_offers o join players f on f.id = o.from_player_id join players t on t.id = o.to_player_id`;

async function withLines(db: Db, offers: OfferRow[]): Promise<Offer[]> {
  if (offers.length === 0) return [];
  const lines = await rows<OfferLine & { offerId: string; quantity: string }>(db, sql`
    select l.offer_id::text as "offerId", l.direction, l.kind, coalesce(l.item_type_id, i.item_type_id) as "itemTypeId",
      l.item_id::text as "itemId", l.quantity::text as quantity, coalesce(t.name, 'Copper') as name,
      coalesce(t.icon, '🪙') as icon, i.metadata
    from trade_offer_lines l
    left join items i on i.id = l.item_id
    left join item_types t on t.id = coalesce(l.item_type_id, i.item_type_id)
    where l.offer_id = any(${`{${offers.map((o) => o.id).join(",")}}`}::uuid[]) order by l.offer_id, l.line_no`);
  return offers.map((o) => ({
    ...o,
    lines: lines.filter((l) => l.offerId === o.id).map(({ offerId: _, ...l }) => ({ ...l, quantity: Number(l.quantity) })),
  }));
}

/** Internal: an offer by id, unscoped (callers have already checked the participant). */
export async function loadOffer(db: Db, id: string): Promise<Offer | undefined> {
  const found = await rows<OfferRow>(db, sql`${select} where o.id = ${id}::uuid`);
  return (await withLines(db, found))[0];
}

export async function getOffer(db: Db, q: { offerId: string; playerId: string }): Promise<Offer | undefined> {
  if (!UUID.test(q.offerId)) return undefined;
  const found = await rows<OfferRow>(db, sql`${select}
    where o.id = ${q.offerId}::uuid and (o.from_player_id = ${q.playerId} or o.to_player_id = ${q.playerId})`);
  return (await withLines(db, found))[0];
}

export type OfferBox = "inbox" | "sent" | "history";

/** inbox: pending offers to me; sent: pending offers from me; history: everything resolved. */
export async function listOffers(db: Db, q: { playerId: string; box: OfferBox; limit?: number }): Promise<Offer[]> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const where =
    q.box === "inbox" ? sql`o.to_player_id = ${q.playerId} and o.status = 'pending'`
    : q.box === "sent" ? sql`o.from_player_id = ${q.playerId} and o.status = 'pending'`
    : sql`(o.from_player_id = ${q.playerId} or o.to_player_id = ${q.playerId}) and o.status <> 'pending'`;
  const found = await rows<OfferRow>(db, sql`${select} where ${where} order by o.created_at desc limit ${limit}`);
  return withLines(db, found);
}
