/**
 * Writing one market batch, all in the caller's transaction: lock the players' wallets (balances
 * before holdings, sorted: the ledger's global lock order), then orders, fills, ledger entries and
 * candles, each with one set-based statement.
 */
import { sql } from "drizzle-orm";
import type { BatchPlan, Wallets } from "../../party/settlement/types";
import { rows, type Db } from "../db";
import { recordMany, type LedgerCtx } from "../ledger";

export async function lockWallets(tx: Db, playerIds: string[], itemTypeId: number): Promise<Wallets> {
  const ids = `{${[...new Set(playerIds)].sort().join(",")}}`;
  // One statement; the holdings part waits on the balances part (the ledger's global lock order).
  const locked = await rows<{ k: string; p: string; a: string }>(tx, sql`
    with b as (select player_id, available from balances where player_id = any(${ids}::uuid[]) order by player_id for update),
    h as (select player_id, available from holdings where player_id = any(${ids}::uuid[]) and item_type_id = ${itemTypeId}
          and (select count(*) from b) >= 0 order by player_id for update)
    select 'c' as k, player_id::text as p, available::text as a from b
    union all select 'i', player_id::text, available::text from h`);
  const wallets: Wallets = { currency: new Map(), items: new Map() };
  for (const r of locked) (r.k === "c" ? wallets.currency : wallets.items).set(r.p, Number(r.a));
  return wallets;
}

/**
 * Every value here was accepted by the planner, which keeps an order row only when each field fits
 * its column: expiresAt between the batch's clock and 365 days after it (a valid Date and
 * timestamptz), amounts safe integers, ids uuids, client order ids of the protocol's alphabet. So a
 * client's value cannot make this statement fail for the other commands of its batch.
 */
export async function writeBatch(tx: Db, slug: string, plan: BatchPlan, ctx: LedgerCtx, at: Date, rowsWritten?: () => void): Promise<void> {
  const orders = [...plan.orders.values()].map((o) => ({ ...o, expiresAt: o.expiresAt === null ? null : new Date(o.expiresAt).toISOString() }));
  if (orders.length > 0 || plan.fills.length > 0) {
    // Orders, fills and candles in one statement (three tables, no row touched twice).
    await tx.execute(sql`
      with o as (
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
        returning 1)
      select (select count(*) from o) as o, (select count(*) from f) as f, (select count(*) from c) as c`);
  }
  rowsWritten?.(); // the profile's "rows" phase ends here, "ledger" begins
  await recordMany(tx, ctx, plan.entries);
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
