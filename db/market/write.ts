/**
 * Writing one market batch, all in the caller's transaction, in two statements (plus BEGIN and
 * COMMIT: four round trips, ADR 016):
 *   readAndLock  the earlier answers of retried places, and the players' wallets locked (balances
 *                before holdings, sorted: the ledger's global lock order);
 *   writeBatch   orders, fills, candles, the netted postings, the events and the alerts owed
 *                (ADR 013), each set-based.
 */
import { sql } from "drizzle-orm";
import type { AlertDraft } from "../../app/utils/alerts/text";
import type { BatchPlan, Wallets } from "../../party/settlement/types";
import { alertsJson, insertAlertsSql } from "../alerts/write";
import { rows, rowsPrepared, type Db } from "../db";
import {
  checkEntries, CURRENCY, entryEvents, eventCtes, insertEvents, insertPostings, LedgerError, notUpdated, prepareEvents,
  refuseShortfall, splitByAsset, updatePostings, type LedgerCtx, type Posting,
} from "../ledger";
import { orderColumns, toOrderRow, type Raw } from "./load";
import type { OrderRow } from "../../party/settlement/types";
import { collectLimits, limitParts, type FoundLimits, type LimitReads } from "./limit-reads";
import { guardCte, guardedPostings, parseAmounts, type PlanGuard } from "./guard";

export interface BatchReads {
  /** Earlier answers, by "playerId|clientOrderId": a retried place gets its first answer. */
  earlier: Map<string, OrderRow & { market: string }>;
  /** The locked amounts; the planner works on (and changes) these. */
  wallets: Wallets;
  /** Whose rows exist (balances, holdings of this item), as locked: the planner does not change these. */
  rows: WalletRows;
  /** The item type's trading limits (ADR 027) and, if read, their usage; undefined: the type has none. */
  limits?: FoundLimits;
}

export interface WalletRows {
  currency: ReadonlySet<string>;
  items: ReadonlySet<string>;
}

/**
 * One statement: the orders already placed under these client order ids, then the wallets locked,
 * and (ADR 027) the item type's trading limits (db/market/limit-reads.ts): a primary-key probe,
 * plus their usage while the room expects limits.
 */
export async function readAndLock(
  tx: Db,
  places: Array<{ playerId: string; clientOrderId: string }>,
  playerIds: string[],
  itemTypeId: number,
  limitReads?: LimitReads,
): Promise<BatchReads> {
  const ids = `{${[...new Set(playerIds)].sort().join(",")}}`;
  const limit = limitParts(itemTypeId, limitReads);
  // The holdings part waits on the balances part (the ledger's global lock order). The earlier
  // answers are one probe of orders_client_order_key per place (a lateral with limit 1 cannot be
  // turned into a join): planned as a hash join instead, it read the whole orders table every batch
  // (3-5 ms at 15,000 orders) whenever the statistics were missing or stale. An open debt left by a
  // rollback (ADR 024, 038) comes as a 'd' row: it blocks orders, in its own words, until settled.
  // (No SQL comments here: the lock-order test finds this statement in pg_stat_activity's first 1 kB.)
  const found = await rows<{ k: string; j: string | null; p: string | null; a: string | null; f: boolean | null }>(tx, sql`
    with e as (
      select o.* from jsonb_to_recordset(${JSON.stringify(places)}::jsonb) as k("playerId" uuid, "clientOrderId" text)
      cross join lateral (select ${orderColumns}, market_slug as market from orders o
        where o.player_id = k."playerId" and o.client_order_id = k."clientOrderId" limit 1) o),
    b as (select player_id, available, frozen,
      exists (select 1 from debts d where d.player_id = balances.player_id and d.settled_at is null) as in_debt
      from balances where player_id = any(${ids}::uuid[]) order by player_id for update),
    h as (select player_id, available from holdings where player_id = any(${ids}::uuid[]) and item_type_id = ${itemTypeId}
          and (select count(*) from b) >= 0 order by player_id for update)${limit.ctes}
    select 'o' as k, to_jsonb(e)::text as j, null as p, null as a, null::boolean as f from e
    union all select 'c', null, player_id::text, available::text, frozen from b
    union all select 'd', null, player_id::text, null, true from b where in_debt
    union all select 'i', null, player_id::text, available::text, false from h${limit.rows}`);
  const reads: BatchReads = { earlier: new Map(), wallets: { currency: new Map(), items: new Map(), frozen: new Set(), inDebt: new Set() }, rows: { currency: new Set(), items: new Set() } };
  for (const r of found) {
    if (r.k === "o") {
      const raw = JSON.parse(r.j!) as Raw & { market: string };
      const order = { ...toOrderRow(raw), market: raw.market };
      reads.earlier.set(`${order.playerId}|${order.clientOrderId}`, order);
    } else if (r.k === "d") {
      reads.wallets.inDebt!.add(r.p!);
    } else if (r.k === "c" || r.k === "i") {
      (r.k === "c" ? reads.wallets.currency : reads.wallets.items).set(r.p!, Number(r.a));
      // Frozen wallets (db/game-servers/freeze.ts), read with the locks: no place or amend.
      if (r.f) reads.wallets.frozen!.add(r.p!);
    }
  }
  reads.rows = { currency: new Set(reads.wallets.currency.keys()), items: new Set(reads.wallets.items.keys()) };
  // The trading limits' rows (ADR 027): l, and s and w when their usage was asked for.
  reads.limits = limitReads ? collectLimits(found, limitReads.usage) : undefined;
  return reads;
}

/**
 * Every value here was accepted by the planner, which keeps an order row only when each field fits
 * its column: expiresAt between the batch's clock and 365 days after it (a valid Date and
 * timestamptz), amounts safe integers, ids uuids, client order ids of the protocol's alphabet. So a
 * client's value cannot make this statement fail for the other commands of its batch.
 */
export async function writeBatch(
  tx: Db,
  slug: string,
  plan: BatchPlan,
  ctx: LedgerCtx,
  at: Date,
  found: WalletRows,
  itemTypeId: number,
  alerts: { drafts: AlertDraft[]; priceAlertIds: string[] } = { drafts: [], priceAlertIds: [] },
  guard?: PlanGuard,
): Promise<{ firedPriceAlerts: string[]; postings: Posting[]; amounts?: Map<string, number> }> {
  // Planned on remembered amounts (ADR 042), even a batch that changes nothing checks what it stood on.
  if (!guard && plan.orders.size === 0 && plan.fills.length === 0 && plan.entries.length === 0) return { firedPriceAlerts: [], postings: [] };
  const orders = [...plan.orders.values()].map((o) => ({ ...o, expiresAt: o.expiresAt === null ? null : new Date(o.expiresAt).toISOString() }));
  // The postings go to rows the lock found (updated, never below zero) or, credits only, to rows
  // that did not exist yet (inserted): a buyer's first holding of this item.
  const postings = checkEntries(plan.entries);
  const exists = (p: Posting) => (p.asset === CURRENCY ? found.currency.has(p.player) : p.asset === itemTypeId && found.items.has(p.player));
  const split = guard ? guardedPostings(postings, guard) : { update: postings.filter(exists), insert: postings.filter((p) => !exists(p)) };
  const fresh = split.insert;
  refuseShortfall(fresh);
  const { currency, items } = splitByAsset(fresh);
  const existing = split.update;
  const events = prepareEvents(ctx, entryEvents(plan.entries));
  // The batch's alerts (the outbox, ADR 013) ride in the same statement: they commit or roll back
  // with the batch. A price alert fires only if its row is still active (and out of its cool-down)
  // here, whatever the room's index believed: a deleted alert never fires. The market check is
  // written "is true" so the planner cannot serve it from price_alerts_market_active_idx: on a table
  // whose statistics lag (a market that just got thousands of alerts) it chose that index and
  // walked every active alert of the market on every batch (1.5 ms at 5,000) instead of the pkey.
  const t = sql`${at.toISOString()}::timestamptz`;
  const alertCtes = alerts.drafts.length === 0 ? sql`` : sql`
    pa as (
      update price_alerts set status = case when cooldown_seconds is null then 'triggered' else 'active' end, last_fired_at = ${t}
      where id = any(${`{${alerts.priceAlertIds.join(",")}}`}::uuid[]) and (market_slug = ${slug}) is true and status = 'active'
        and (cooldown_seconds is null or last_fired_at is null or last_fired_at <= ${t} - make_interval(secs => cooldown_seconds))
      returning id),
    al as (${insertAlertsSql(alertsJson(alerts.drafts), at, sql`a."priceAlertId" is null or a."priceAlertId" in (select id from pa)`)} returning 1),`;
  const firedSelect = alerts.drafts.length === 0 ? sql`null::text` : sql`(select string_agg(id::text, ',') from pa)`;
  // Every table once, no row touched twice.
  // The postings first: settled in one statement (ADR 042), its sorted locks are the first thing it
  // does, and they show in pg_stat_activity's first 1 kB of the statement.
  const [result] = await rowsPrepared<{ updated: string | null; fired: string | null; amounts?: string | null }>(tx, sql`
    with ${updatePostings(existing, guard !== undefined)},
    ${insertPostings(currency, items)},
    o as (
      insert into orders (id, market_slug, player_id, client_order_id, side, kind, time_in_force, stp, code, price, quantity,
        remaining, filled, reserved, status, seq, priority, expires_at, updated_at)
      select o.id, ${slug}, o."playerId", o."clientOrderId", o.side, o.kind, o."timeInForce", o.stp, o.code, o.price, o.quantity,
        o.remaining, o.filled, o.reserved, o.status, o.seq, o.priority, o."expiresAt", now()
      from jsonb_to_recordset(${JSON.stringify(orders)}::jsonb) as o(id uuid, "playerId" uuid, "clientOrderId" text, side text,
        kind text, "timeInForce" text, stp text, code int, price bigint, quantity bigint, remaining bigint, filled bigint,
        reserved bigint, status text, seq bigint, priority bigint, "expiresAt" timestamptz)
      order by o.id
      on conflict (id) do update set price = excluded.price, quantity = excluded.quantity, remaining = excluded.remaining,
        filled = excluded.filled, reserved = excluded.reserved, status = excluded.status, seq = excluded.seq, priority = excluded.priority, updated_at = now()
      returning 1),
    f as (
      insert into fills (market_slug, seq, maker_order_id, taker_order_id, maker_player_id, taker_player_id, taker_side,
        price, quantity, maker_fee, taker_fee, created_at)
      select ${slug}, f.seq, f."makerOrderId", f."takerOrderId", f."makerPlayerId", f."takerPlayerId", f."takerSide",
        f.price, f.quantity, f."makerFee", f."takerFee", ${at.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(plan.fills)}::jsonb) as f(seq bigint, "makerOrderId" uuid, "takerOrderId" uuid,
        "makerPlayerId" uuid, "takerPlayerId" uuid, "takerSide" text, price bigint, quantity bigint, "makerFee" bigint, "takerFee" bigint)
      returning 1),
    c as (
      insert into candles (market_slug, interval, bucket, open, high, low, close, volume, notional, trades)
      select ${slug}, c.interval, c.bucket, c.open, c.high, c.low, c.close, c.volume, c.notional, c.trades
      from jsonb_to_recordset(${JSON.stringify(candleRows(plan, at))}::jsonb) as c(interval text, bucket timestamptz, open bigint,
        high bigint, low bigint, close bigint, volume bigint, notional bigint, trades int)
      on conflict (market_slug, interval, bucket) do update set high = greatest(candles.high, excluded.high),
        low = least(candles.low, excluded.low), close = excluded.close, volume = candles.volume + excluded.volume,
        notional = candles.notional + excluded.notional, trades = candles.trades + excluded.trades
      returning 1),
    ${alertCtes}
    ${guard ? guardCte(guard, existing, fresh, itemTypeId) : sql``}
    ${eventCtes(events)},
    ev as (${insertEvents(events)})
    select (select string_agg(x, ',') from (select player::text || '|' || asset as x from pc union all select player::text || '|' || asset from ph) u) as updated,
      ${firedSelect} as fired${guard ? sql`, (select string_agg(player::text || '|' || asset || '|' || before, ',') from gu where (select ok from bz)) as amounts` : sql``}`);
  // A debit the lock found room for cannot come up short; if one did, nothing of the batch stays.
  // Text, not an array: the drivers do not all parse arrays the same way.
  const short = notUpdated(existing, result?.updated ? result.updated.split(",") : []);
  if (short.length > 0) {
    refuseShortfall(short);
    throw new LedgerError("unbalanced", `postings ${JSON.stringify(short).slice(0, 300)} found no row`);
  }
  return { firedPriceAlerts: result?.fired ? result.fired.split(",") : [], postings, ...(guard ? { amounts: parseAmounts(result?.amounts ?? null) } : {}) };
}

const INTERVALS: Array<[string, number]> = [["1m", 60_000], ["5m", 300_000], ["1h", 3_600_000], ["1d", 86_400_000]];

/** One candle per interval for this batch's fills (none without fills). */
function candleRows(plan: BatchPlan, at: Date) {
  if (plan.fills.length === 0) return [];
  const prices = plan.fills.map((f) => f.price);
  return INTERVALS.map(([interval, ms]) => ({
    interval,
    bucket: new Date(Math.floor(at.getTime() / ms) * ms).toISOString(),
    open: plan.fills[0]!.price,
    high: prices.reduce((m, p) => Math.max(m, p), prices[0]!),
    low: prices.reduce((m, p) => Math.min(m, p), prices[0]!),
    close: plan.fills.at(-1)!.price,
    volume: plan.fills.reduce((s, f) => s + f.quantity, 0),
    // Summed exactly: many large fills in one batch could pass 2^53 together (bigint column; JSON string).
    notional: plan.fills.reduce((s, f) => s + BigInt(f.price) * BigInt(f.quantity), 0n).toString(),
    trades: plan.fills.length,
  }));
}
