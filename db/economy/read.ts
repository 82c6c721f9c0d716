/**
 * The economy's faucets and sinks for a period, read from the projection (economy_flows), never by
 * rescanning the events. Money supply is the currency's minted - burned - sunk, cumulative by day.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";

export const PERIODS = { "24h": 1, "7d": 7, "30d": 30, all: null } as const;
export type Period = keyof typeof PERIODS;

export interface EconomyFlows {
  period: Period;
  /** When the projection last took events from the feed (null: never yet). */
  asOf: string | null;
  /** The currency, per day of the period: flows and the money supply at the day's end. */
  days: Array<{ day: string; minted: number; burned: number; sunk: number; moneySupply: number }>;
  /** Per source and asset over the period, largest first. */
  sources: Array<{ source: string; asset: number; minted: number; burned: number; sunk: number }>;
}

export async function readEconomyFlows(db: Db, period: Period, today = new Date()): Promise<EconomyFlows> {
  const span = PERIODS[period];
  const from = span === null ? "0000-00-00" : new Date(today.getTime() - (span - 1) * 86_400_000).toISOString().slice(0, 10);
  const days = await rows<{ day: string; minted: string; burned: string; sunk: string; supply: string }>(db, sql`
    select day, minted::text, burned::text, sunk::text, supply::text from (
      select day, sum(minted) as minted, sum(burned) as burned, sum(sunk) as sunk,
        sum(sum(minted) - sum(burned) - sum(sunk)) over (order by day) as supply
      from economy_flows where asset = 0 group by day) d
    where day >= ${from} order by day`);
  const sources = await rows<{ source: string; asset: number; minted: string; burned: string; sunk: string }>(db, sql`
    select source, asset, sum(minted)::text as minted, sum(burned)::text as burned, sum(sunk)::text as sunk
    from economy_flows where day >= ${from} group by source, asset
    order by sum(minted) + sum(burned) + sum(sunk) desc, source, asset limit 200`);
  const [cursor] = await rows<{ at: string }>(db, sql`
    select to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at from consumer_cursors where name = 'economy_flows'`);
  return {
    period,
    asOf: cursor?.at ?? null,
    days: days.map((d) => ({ day: d.day, minted: Number(d.minted), burned: Number(d.burned), sunk: Number(d.sunk), moneySupply: Number(d.supply) })),
    sources: sources.map((r) => ({ source: r.source, asset: r.asset, minted: Number(r.minted), burned: Number(r.burned), sunk: Number(r.sunk) })),
  };
}
