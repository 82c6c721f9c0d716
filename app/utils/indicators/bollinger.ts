import { roundDiv, windows, type BandPoint, type IndicatorCandle } from "./series";

/**
 * Bollinger bands: the SMA of `period` buckets (gaps carry the last close) and, `width` population
 * standard deviations of that window above and below it. Each line is rounded to copper; the
 * lower band may go below zero on a wild window (drawn as is: it is a statistic, not a price).
 */
export function bollinger(candles: readonly IndicatorCandle[], step: number, period: number, width: number): BandPoint[] {
  return windows(candles, step, period).map(({ time, pieces }) => {
    const sum = pieces.reduce((s, [close, n]) => s + close * n, 0);
    const mean = sum / period;
    const variance = pieces.reduce((s, [close, n]) => s + n * (close - mean) ** 2, 0) / period;
    const spread = width * Math.sqrt(variance);
    return { time, middle: roundDiv(sum, period), upper: Math.round(mean + spread), lower: Math.round(mean - spread) };
  });
}
