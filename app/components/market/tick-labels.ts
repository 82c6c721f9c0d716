/**
 * The chart's time-axis labels: the candle's UTC wall time, as lightweight-charts places its tick
 * marks (a day mark sits at UTC midnight), in the app's own words: the year, an English short month,
 * the day of the month, or 24-hour time, like the rest of Bazaar's English pages (app/utils/time.tsx).
 *
 * Written here, not left to the library: its default formats each label with `toLocaleString` and
 * options, and the first Intl formatter a page makes starts ICU, 15-35 ms on a fast machine, four
 * times that on a phone, all inside the chart's first frame (2026-12-05: 55-87 of ~300 ms at 4x
 * CPU slowdown). Nothing else on the market page uses Intl.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
const pad = (n: number) => String(n).padStart(2, "0");

/** lightweight-charts' TickMarkType, by number. */
export const TickMark = { Year: 0, Month: 1, DayOfMonth: 2, Time: 3, TimeWithSeconds: 4 } as const;

/** A label for a numeric time (UTC seconds); null for other kinds of time, which the library then formats itself. */
export function tickLabel(time: unknown, type: number): string | null {
  if (typeof time !== "number") return null;
  const d = new Date(time * 1000);
  switch (type) {
    case TickMark.Year:
      return String(d.getUTCFullYear());
    case TickMark.Month:
      return MONTHS[d.getUTCMonth()]!;
    case TickMark.DayOfMonth:
      return String(d.getUTCDate());
    case TickMark.Time:
      return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    case TickMark.TimeWithSeconds:
      return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    default:
      return null;
  }
}
