/**
 * An item's market over 24 h, 7 d and 30 d, and candles with indicators: per-request SQL over the
 * candles table (no cache, no extra table). Money is integer copper throughout; the average is
 * the volume-weighted one (notional / volume) rounded half up to a copper.
 */
import { sql } from "drizzle-orm";
import { INTERVAL_STEP } from "../../app/utils/indicators/intervals";
import { roundDiv } from "../../app/utils/indicators/series";
import { computeIndicators, lookback, type IndicatorSpec, type IndicatorValues } from "../../app/utils/indicators/spec";
import { rows, type Db } from "../db";
import type { Interval } from "./intervals";
import { candles } from "./read";

export const STAT_WINDOWS = ["24h", "7d", "30d"] as const;
export type StatWindow = (typeof STAT_WINDOWS)[number];

export interface WindowStats {
  /** First candle's open and last candle's close in the window; null when nothing traded. */
  open: number | null;
  close: number | null;
  high: number | null;
  low: number | null;
  /** Volume-weighted average price, copper, rounded half up. */
  average: number | null;
  /** close - open, copper. */
  change: number | null;
  /** change / open in basis points (1% = 100), rounded half away from zero. */
  changeBps: number | null;
  volume: number;
  /** Copper traded (sum of price x quantity). */
  notional: number;
  trades: number;
}

/**
 * Each window reads the candles whose bucket starts inside it: 5-minute candles for 24 h (as the
 * market list's 24 h figures), hourly ones for 7 and 30 days (at most 720 rows).
 */
export async function marketStats(db: Db, slug: string, asOf: Date = new Date()): Promise<Record<StatWindow, WindowStats>> {
  const found = await rows<Record<string, string | null>>(db, sql`
    select w.name, (array_agg(c.open order by c.bucket) filter (where c.bucket is not null))[1]::text as open,
      (array_agg(c.close order by c.bucket desc) filter (where c.bucket is not null))[1]::text as close,
      max(c.high)::text as high, min(c.low)::text as low, coalesce(sum(c.volume), 0)::text as volume,
      coalesce(sum(c.notional), 0)::text as notional, coalesce(sum(c.trades), 0)::text as trades
    from (values ('24h', '5m', interval '24 hours'), ('7d', '1h', interval '7 days'), ('30d', '1h', interval '30 days')) as w(name, iv, span)
    left join candles c on c.market_slug = ${slug} and c.interval = w.iv
      and c.bucket > ${asOf.toISOString()}::timestamptz - w.span and c.bucket <= ${asOf.toISOString()}::timestamptz
    group by w.name`);
  const out = {} as Record<StatWindow, WindowStats>;
  for (const r of found) {
    const n = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));
    const [open, close, volume, notional] = [n(r.open), n(r.close), Number(r.volume), Number(r.notional)];
    const change = open !== null && close !== null ? close - open : null;
    out[r.name as StatWindow] = {
      open, close, high: n(r.high), low: n(r.low),
      average: volume > 0 ? roundDiv(notional, volume) : null,
      change,
      changeBps: change !== null && open ? Math.sign(change) * roundDiv(Math.abs(change) * 10_000, open) : null,
      volume, notional, trades: Number(r.trades),
    };
  }
  return out;
}

/**
 * The last `limit` candles and, for each spec, its series at those candles' times. Earlier candles
 * (as many as the longest window needs) are read too, so the lines start with the first candle
 * shown whenever the market has that much history.
 */
export async function candlesWithIndicators(db: Db, slug: string, interval: Interval, limit: number, specs: readonly IndicatorSpec[]) {
  const extra = lookback(specs);
  const all = await candles(db, slug, interval, limit + extra, 1000 + 200);
  const shown = all.slice(Math.max(0, all.length - limit));
  const from = shown[0]?.time ?? Infinity;
  const values = computeIndicators(all, INTERVAL_STEP[interval], specs);
  const indicators: IndicatorValues = {};
  for (const [key, points] of Object.entries(values)) indicators[key] = (points as Array<{ time: number }>).filter((p) => p.time >= from) as never;
  return { candles: shown, indicators };
}
