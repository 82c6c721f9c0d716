/**
 * Chart indicators over candles: small pure functions, no library, no drizzle (the chart's lazy
 * chunk imports them; the first-load bundle never does).
 *
 * Money in and out is integer copper. Inside, an average may be fractional; each value is rounded
 * once, half up, to the nearest copper when it leaves (roundDiv for exact quotients of integers,
 * Math.round for EMA and Bollinger's square root). A rounded value is only drawn or returned,
 * never fed back into the next step (the EMA carries its unrounded state) nor into any amount.
 *
 * Gaps: the candles table has a row only for buckets that traded. The indicators run on the full
 * time grid of the interval: an empty bucket's price is the last close before it (no trade, price
 * unchanged) and its volume is 0. So "SMA 20" on 1h candles is always the last 20 hours, however
 * few of them traded. Values are reported only at the times of real candles (the chart's points).
 *
 * Too little history: a value needs a full window of buckets since the first candle given; before
 * that there is no point at all (never NaN, never a guess). Callers wanting values from the first
 * shown candle pass earlier candles too and drop the points they do not show.
 */
export interface IndicatorCandle {
  /** Bucket start, epoch seconds, a multiple of the interval. */
  time: number;
  close: number;
  volume: number;
  /** Sum of price x quantity over the bucket's trades (copper); VWAP needs it. */
  notional?: number;
}

export interface Point {
  time: number;
  value: number;
}

export interface BandPoint {
  time: number;
  middle: number;
  upper: number;
  lower: number;
}

/** a / b rounded half up to an integer (a >= 0, b > 0 integers), exact even past 2^53 / 2. */
export function roundDiv(a: number, b: number): number {
  if (2 * a <= Number.MAX_SAFE_INTEGER) return Math.floor((2 * a + b) / (2 * b));
  const [x, y] = [BigInt(a), BigInt(b)];
  return Number((2n * x + y) / (2n * y));
}

/**
 * Runs of the gap-filled series: candle i's close holds for `length` buckets (itself, then the
 * empty buckets up to the next candle). `at` is the bucket's position on the grid from the first.
 */
export interface Run {
  time: number;
  at: number;
  close: number;
  length: number;
}

export function runs(candles: readonly IndicatorCandle[], step: number): Run[] {
  const out: Run[] = [];
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i]!;
    const next = candles[i + 1];
    const at = Math.round((c.time - candles[0]!.time) / step);
    const length = next ? Math.max(1, Math.round((next.time - c.time) / step)) : 1;
    out.push({ time: c.time, at, close: c.close, length });
  }
  return out;
}

/**
 * For each candle whose window of `period` buckets (ending at its own bucket) lies within the
 * history: the window as (close, bucket count) pieces, newest first.
 */
export function windows(candles: readonly IndicatorCandle[], step: number, period: number): Array<{ time: number; pieces: Array<[number, number]> }> {
  const r = runs(candles, step);
  const out: Array<{ time: number; pieces: Array<[number, number]> }> = [];
  for (let j = 0; j < r.length; j++) {
    if (r[j]!.at + 1 < period) continue;
    const pieces: Array<[number, number]> = [[r[j]!.close, 1]];
    let left = period - 1;
    for (let i = j - 1; i >= 0 && left > 0; i--) {
      const n = Math.min(left, r[i]!.length);
      pieces.push([r[i]!.close, n]);
      left -= n;
    }
    out.push({ time: r[j]!.time, pieces });
  }
  return out;
}
