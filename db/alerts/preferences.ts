/**
 * A player's alert settings: per kind push / inapp / off, and quiet hours in their time zone. A
 * kind without a setting is "push" (the rule itself is SQL: db/alerts/write.ts).
 */
import { sql } from "drizzle-orm";
import { ALERT_KINDS, type AlertKind } from "../../app/utils/alerts/text";
import { rows, type Db } from "../db";
import { fail, type Result } from "../result";

export type AlertMode = "push" | "inapp" | "off";
export const ALERT_MODES: readonly AlertMode[] = ["push", "inapp", "off"];

export interface AlertPreferences {
  kinds: Record<AlertKind, AlertMode>;
  /** Minutes after local midnight, or null for no quiet hours. */
  quietHours: { start: number; end: number } | null;
  timeZone: string;
}

export function withDefaults(kinds: Partial<Record<string, string>>): Record<AlertKind, AlertMode> {
  return Object.fromEntries(
    ALERT_KINDS.map((k) => [k, ALERT_MODES.includes(kinds[k] as AlertMode) ? (kinds[k] as AlertMode) : "push"]),
  ) as Record<AlertKind, AlertMode>;
}

export async function getPreferences(db: Db, playerId: string): Promise<AlertPreferences> {
  const [r] = await rows<{ kinds: Record<string, string>; start: number | null; end: number | null; tz: string }>(db, sql`
    select kinds, quiet_start as start, quiet_end as "end", time_zone as tz from alert_preferences where player_id = ${playerId}`);
  return {
    kinds: withDefaults(r?.kinds ?? {}),
    quietHours: r && r.start !== null && r.end !== null ? { start: r.start, end: r.end } : null,
    timeZone: r?.tz ?? "UTC",
  };
}

/**
 * Replace the player's settings. The time zone must be one the database knows (the batch's SQL
 * computes quiet hours in it; an unknown one would fail the statement), checked here, at save.
 */
export async function savePreferences(db: Db, playerId: string, p: AlertPreferences): Promise<Result<{ preferences: AlertPreferences }>> {
  const [known] = await rows(db, sql`select 1 from pg_timezone_names where name = ${p.timeZone}`);
  if (!known) return fail(400, "unknown_time_zone", `The time zone ${p.timeZone} is not known. Use an IANA name such as Europe/Paris or America/New_York.`);
  const q = p.quietHours;
  if (q && (!inDay(q.start) || !inDay(q.end) || q.start === q.end)) {
    return fail(400, "invalid_quiet_hours", "Quiet hours need a start and an end that differ, each between 00:00 and 23:59.");
  }
  await db.execute(sql`
    insert into alert_preferences (player_id, kinds, quiet_start, quiet_end, time_zone, updated_at)
    values (${playerId}, ${JSON.stringify(p.kinds)}::jsonb, ${q?.start ?? null}, ${q?.end ?? null}, ${p.timeZone}, now())
    on conflict (player_id) do update set kinds = excluded.kinds, quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
      time_zone = excluded.time_zone, updated_at = now()`);
  return { ok: true, preferences: await getPreferences(db, playerId) };
}

const inDay = (m: number) => Number.isSafeInteger(m) && m >= 0 && m <= 1439;

/** "22:30" <-> 1350 */
export const minutesToClock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
export function clockToMinutes(text: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}
