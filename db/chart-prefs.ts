/** A player's chart settings (chart_preferences; ADR 018): read with defaults, saved whole. */
import { sql } from "drizzle-orm";
import { readChartPrefs, type ChartPrefs } from "../app/utils/indicators/prefs";
import { rows, type Db } from "./db";

export async function loadChartPrefs(db: Db, playerId: string): Promise<ChartPrefs> {
  const [found] = await rows<{ settings: unknown }>(db, sql`select settings from chart_preferences where player_id = ${playerId}`);
  return readChartPrefs(typeof found?.settings === "string" ? JSON.parse(found.settings) : found?.settings);
}

export async function saveChartPrefs(db: Db, playerId: string, prefs: ChartPrefs): Promise<void> {
  await db.execute(sql`insert into chart_preferences (player_id, settings) values (${playerId}, ${JSON.stringify(prefs)}::jsonb)
    on conflict (player_id) do update set settings = excluded.settings, updated_at = now()`);
}
