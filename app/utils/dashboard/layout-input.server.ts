/** A dashboard layout sent by the player or read from the database, checked (zod; server only). */
import { z } from "zod";
import { COLS, DEFAULT_LAYOUT, MAX_ROWS, PANELS, type PanelPlace } from "./layout";

const Place = z.strictObject({
  i: z.enum(PANELS),
  x: z.number().int().min(0).max(COLS - 1),
  y: z.number().int().min(0).max(MAX_ROWS),
  w: z.number().int().min(2).max(COLS),
  h: z.number().int().min(2).max(12),
  off: z.literal(true).optional(),
}).refine((p) => p.x + p.w <= COLS, { message: "a panel reaches past the grid's 12 columns" });

/** A layout sent by the player: every panel at most once, all on the grid; the reason otherwise. */
export const LayoutInput = z.array(Place).max(PANELS.length).refine((l) => new Set(l.map((p) => p.i)).size === l.length, { message: "a panel appears twice" });

/** A saved layout with defaults: unknown entries dropped, missing panels added below the others. */
export function readLayout(saved: unknown): PanelPlace[] {
  const parsed = LayoutInput.safeParse(saved);
  const kept: PanelPlace[] = parsed.success ? parsed.data : [];
  const bottom = kept.filter((p) => !p.off).reduce((m, p) => Math.max(m, p.y + p.h), 0);
  const missing = DEFAULT_LAYOUT.filter((d) => !kept.some((p) => p.i === d.i)).map((d) => ({ ...d, y: bottom + d.y }));
  return [...kept, ...missing];
}
