import { runs, type IndicatorCandle, type Point } from "./series";

/**
 * Exponential moving average of closes, alpha = 2 / (period + 1), seeded with the simple average
 * of the first `period` buckets (so its first value is where the SMA's first is). An empty
 * bucket steps it towards the carried close like any other bucket: k steps at once are
 * c + (ema - c)(1 - alpha)^k. The state stays unrounded; each reported value is rounded.
 */
export function ema(candles: readonly IndicatorCandle[], step: number, period: number): Point[] {
  const alpha = 2 / (period + 1);
  const out: Point[] = [];
  let count = 0;
  let sum = 0;
  let value: number | null = null;
  /** k buckets at close c. */
  const feed = (c: number, k: number) => {
    if (value === null) {
      const take = Math.min(k, period - count);
      sum += c * take;
      count += take;
      k -= take;
      if (count < period) return;
      value = sum / period;
    }
    if (k > 0) value = c + (value - c) * (1 - alpha) ** k;
  };
  for (const r of runs(candles, step)) {
    feed(r.close, 1);
    if (value !== null) out.push({ time: r.time, value: Math.round(value) });
    if (r.length > 1) feed(r.close, r.length - 1);
  }
  return out;
}
