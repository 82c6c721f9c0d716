/**
 * Liveness and readiness of the edge (issue 21).
 *  - live: this worker answers (GET /api/v1/livez; no dependency is touched, so a database outage
 *    never makes an orchestrator restart healthy workers);
 *  - ready: it can serve players (GET /api/v1/readyz): the database answers, it has every migration
 *    this build was made with (drizzle's journal, bundled), and the market rooms' host answers.
 *    Slow is not down (health.server.ts): a busy part keeps the worker ready.
 * `npm start` prints "ready" only once readyz says so (scripts/stack.ts).
 */
import { sql } from "drizzle-orm";
import { rows } from "../db/db";
import { openNeon } from "../db/neon";
import journal from "../db/migrations/meta/_journal.json";
import type { Env } from "./env.server";
import { roomsState, stateWithin, type PartState } from "./health.server";

const TIMEOUT_MS = 2_500;

/** The last migration this build knows: its tag and its journal time (drizzle records the latter). */
export const BUILD_MIGRATION = (() => {
  const last = journal.entries.at(-1)!;
  return { tag: last.tag, when: last.when, count: journal.entries.length };
})();

export type MigrationState = "current" | "behind" | "unknown";

export interface Readiness {
  ready: boolean;
  db: PartState;
  migrations: MigrationState;
  rooms: PartState | "not configured";
  /** What is not ready, in words (empty when ready). */
  problems: string[];
}

/** Compares what the database recorded with what this build expects. */
export function migrationState(recorded: { count: number; lastWhen: number } | undefined): MigrationState {
  if (!recorded) return "behind";
  return recorded.count >= BUILD_MIGRATION.count && recorded.lastWhen >= BUILD_MIGRATION.when ? "current" : "behind";
}

async function databaseReadiness(env: Env): Promise<{ db: PartState; migrations: MigrationState; recorded?: { count: number; lastWhen: number } }> {
  const opened = openNeon({ databaseUrl: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY, max: 1 });
  let recorded: { count: number; lastWhen: number } | undefined;
  let missing = false;
  const probe = (async () => {
    const [table] = await rows<{ t: string | null }>(opened.db, sql`select to_regclass('drizzle.__drizzle_migrations')::text as t`);
    if (!table?.t) {
      missing = true;
      return;
    }
    const [row] = await rows<{ n: number; last: string | null }>(opened.db, sql`select count(*)::int as n, max(created_at)::text as last from drizzle.__drizzle_migrations`);
    recorded = { count: row?.n ?? 0, lastWhen: Number(row?.last ?? 0) };
  })();
  try {
    const db = await stateWithin(probe, TIMEOUT_MS);
    if (db !== "up") return { db, migrations: "unknown" };
    return { db, migrations: missing ? "behind" : migrationState(recorded), recorded };
  } finally {
    void opened.close();
  }
}

export async function readiness(env: Env): Promise<Readiness> {
  const [database, rooms] = await Promise.all([databaseReadiness(env), roomsState(env)]);
  const problems: string[] = [];
  if (database.db === "down") problems.push("the database does not answer");
  if (database.migrations === "behind") {
    problems.push(
      `the database has ${database.recorded ? `${database.recorded.count} migration(s)` : "no migrations"}; this build needs ${BUILD_MIGRATION.count} (up to ${BUILD_MIGRATION.tag}): run npm run db:migrate (production: npm run deploy:migrate)`,
    );
  }
  if (rooms === "down") problems.push("the market rooms do not answer");
  return { ready: problems.length === 0, db: database.db, migrations: database.migrations, rooms, problems };
}
