/**
 * Migrate, then seed on first run: the one database preparation step of `npm start`, run by the
 * process that owns the database (the PGlite server for the embedded default, start.ts for a real
 * DATABASE_URL), because a PGlite directory can only be open in one process at a time.
 */
import { migrate } from "../db/migrate";
import type { Opened } from "../db/open";
import { seed } from "../db/seed";
import { prepareDemoWorld } from "../npc/setup";

export interface Prepared {
  migrateMs: number;
  seedMs: number;
  /** true when this run created the seed data (first run). */
  seeded: boolean;
}

export interface PrepareOptions {
  /** The demo world (npc/): its NPC traders' password secret, and optionally only some markets. */
  demoWorld?: { secret: string; markets?: string[] };
}

export async function prepareDatabase(opened: Opened, log: (line: string) => void = console.log, o: PrepareOptions = {}): Promise<Prepared> {
  const t0 = performance.now();
  await migrate(opened);
  const migrateMs = Math.round(performance.now() - t0);
  log(`migrated ${opened.label} in ${migrateMs} ms`);
  const t1 = performance.now();
  const { created } = await seed(opened.db);
  const seedMs = Math.round(performance.now() - t1);
  log(created ? `seeded the database (first run) in ${seedMs} ms` : "seed data already present");
  if (o.demoWorld) await prepareDemoWorld(opened.db, o.demoWorld.secret, log, { markets: o.demoWorld.markets });
  return { migrateMs, seedMs, seeded: created };
}
