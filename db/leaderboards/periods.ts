/**
 * The leaderboards' boards and windows. Profit and volume are summed per window: the UTC day, the
 * UTC week (from Monday) and all time; a window is a calendar bucket, so a score only ever grows by
 * the trades inside it and the board is a sorted set updated incrementally. Net worth is now, so it
 * has one period ("all").
 */
export const BOARDS = ["profit", "volume", "worth"] as const;
export type Board = (typeof BOARDS)[number];
export const WINDOWS = ["day", "week", "all"] as const;
export type Window = (typeof WINDOWS)[number];

const DAY = 86_400_000;

/** "d:2026-12-04" for a UTC day. */
export function dayPeriod(at: Date | string): string {
  return `d:${new Date(at).toISOString().slice(0, 10)}`;
}

/** "w:2026-11-30": the Monday (UTC) starting the week. */
export function weekPeriod(at: Date | string): string {
  const t = new Date(at).getTime();
  const day = Math.floor(t / DAY);
  // 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
  const monday = (day - ((day + 3) % 7)) * DAY;
  return `w:${new Date(monday).toISOString().slice(0, 10)}`;
}

/** The period a board's window means now. */
export function periodOf(board: Board, window: Window, now = new Date()): string {
  if (board === "worth" || window === "all") return "all";
  return window === "day" ? dayPeriod(now) : weekPeriod(now);
}

/** The periods a trade at `at` counts in. */
export function periodsAt(at: string): string[] {
  return ["all", dayPeriod(at), weekPeriod(at)];
}
