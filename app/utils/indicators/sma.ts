import { roundDiv, windows, type IndicatorCandle, type Point } from "./series";

/** Simple moving average of closes over `period` buckets (gaps carry the last close), in copper. */
export function sma(candles: readonly IndicatorCandle[], step: number, period: number): Point[] {
  return windows(candles, step, period).map(({ time, pieces }) => ({
    time,
    value: roundDiv(pieces.reduce((s, [close, n]) => s + close * n, 0), period),
  }));
}
