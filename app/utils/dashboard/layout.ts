/**
 * A trader's dashboard layout (pure): where each panel sits on a 12-column grid (x, y, w, h in grid
 * units), as react-grid-layout keeps it. Saved whole per player (player_dashboards); read with
 * defaults, so that a panel added later appears and an unknown or broken entry is dropped. On a
 * phone the same panels stack in the order the layout gives them: top to bottom, then left to right.
 * A panel the player removed stays in the saved layout marked `off` (so that reading it with defaults
 * does not bring it back as a new panel); adding it again puts it below the others.
 * Checking a sent or saved layout (zod) is in layout-input.server.ts, so that zod stays out of the
 * browser's bundles (its JIT probe is an eval, which the Content-Security-Policy refuses).
 */
export const PANELS = ["holdings", "pnl", "orders", "watched", "chart", "book", "tape", "leaderboard", "alerts", "economy"] as const;
export type PanelId = (typeof PANELS)[number];
export const COLS = 12;
export const MAX_ROWS = 60;

export interface PanelPlace {
  i: PanelId;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Removed by the player: not shown, offered under "Add a panel". */
  off?: true;
}

export const DEFAULT_LAYOUT: PanelPlace[] = [
  { i: "holdings", x: 0, y: 0, w: 6, h: 4 },
  { i: "pnl", x: 6, y: 0, w: 6, h: 3 },
  { i: "orders", x: 0, y: 4, w: 6, h: 4 },
  { i: "watched", x: 6, y: 3, w: 6, h: 5 },
  // The chosen market's chart, book and tape (live from its room), then my place on the leaderboards.
  { i: "chart", x: 0, y: 8, w: 8, h: 7 },
  { i: "book", x: 8, y: 8, w: 4, h: 7 },
  { i: "tape", x: 0, y: 15, w: 6, h: 5 },
  { i: "leaderboard", x: 6, y: 15, w: 6, h: 5 },
  // My latest alerts (the notification center) and the economy's health today.
  { i: "alerts", x: 0, y: 20, w: 6, h: 5 },
  { i: "economy", x: 6, y: 20, w: 6, h: 5 },
];

/** The panels shown (not removed). */
export function shown(layout: PanelPlace[]): PanelPlace[] {
  return layout.filter((p) => !p.off);
}

/** The phone's order of the panels shown: top to bottom, then left to right. */
export function stackOrder(layout: PanelPlace[]): PanelId[] {
  return shown(layout).sort((a, b) => a.y - b.y || a.x - b.x).map((p) => p.i);
}

/** The panel removed (kept, marked off); the layout as it was when it is not shown. */
export function removePanel(layout: PanelPlace[], id: PanelId): PanelPlace[] {
  return layout.map((p) => (p.i === id && !p.off ? { ...p, off: true as const } : p));
}

/** The panel shown again below the others, at its default size; the layout as it was when it is shown. */
export function addPanel(layout: PanelPlace[], id: PanelId): PanelPlace[] {
  const at = layout.find((p) => p.i === id);
  if (at && !at.off) return layout;
  const bottom = shown(layout).reduce((m, p) => Math.max(m, p.y + p.h), 0);
  const size = DEFAULT_LAYOUT.find((d) => d.i === id)!;
  const placed: PanelPlace = { i: id, x: 0, y: bottom, w: size.w, h: size.h };
  return at ? layout.map((p) => (p.i === id ? placed : p)) : [...layout, placed];
}

/** The grid's new places for the panels shown, with the removed ones kept as they were. */
export function withRemoved(places: PanelPlace[], layout: PanelPlace[]): PanelPlace[] {
  return [...places.map(({ i, x, y, w, h }) => ({ i, x, y, w, h })), ...layout.filter((p) => p.off && !places.some((q) => q.i === p.i))];
}
