import { roundDiv, type IndicatorCandle, type Point } from "./series";

const DAY = 86_400;

/**
 * Volume-weighted average price of the UTC day so far (the session VWAP, reset at 00:00 UTC):
 * total notional / total volume of the day's candles up to and including each one, in copper,
 * rounded half up. Empty buckets add nothing, so gaps need no filling. On 1d candles each day is
 * its own session: the day's average price. A candle without notional uses close x volume.
 */
export function vwap(candles: readonly IndicatorCandle[]): Point[] {
  const out: Point[] = [];
  let day = Number.NaN;
  let notional = 0;
  let volume = 0;
  for (const c of candles) {
    const d = Math.floor(c.time / DAY);
    if (d !== day) {
      day = d;
      notional = 0;
      volume = 0;
    }
    notional += c.notional ?? c.close * c.volume;
    volume += c.volume;
    if (volume > 0) out.push({ time: c.time, value: roundDiv(notional, volume) });
  }
  return out;
}
