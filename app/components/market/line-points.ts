import type { Point } from "~/utils/indicators/series";

/**
 * `next` is `drawn` with only its last point moved, or one point added after it: what a live trade
 * does to a line whose past does not change (SMA, EMA, Bollinger bands and VWAP of closed candles).
 */
export function onlyLastMoved(drawn: Point[], next: Point[]): boolean {
  const same = next.length === drawn.length || next.length === drawn.length + 1 ? next.length - 1 : -1;
  if (same < 0) return false;
  for (let i = 0; i < same; i++) if (drawn[i]!.time !== next[i]!.time || drawn[i]!.value !== next[i]!.value) return false;
  return true;
}
