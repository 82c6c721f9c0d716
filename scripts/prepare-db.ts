/**
 * Migrate, then seed on first run: the one database preparation step of `npm start`, run by the
 * process that owns the database (the PGlite server for the embedded default, start.ts for a real
 * DATABASE_URL), because a PGlite directory can only be open in one process at a time.
 */
import { migrate } from "../db/migrate";
import type { Db } from "../db/db";
import type { Opened } from "../db/open";

type SeedFn = (db: Db) => Promise<{ created: boolean }>;

/** db/seed.ts's `seed`, or undefined while that module does not exist yet. */
async function loadSeed(): Promise<SeedFn | undefined> {
  // A computed specifier keeps the type checker from requiring the file before it is written.
  const specifier = new URL("../db/seed.ts", import.meta.url).href;
  try {
    const mod = (await import(specifier)) as { seed?: SeedFn };
    if (typeof mod.seed !== "function") throw new Error("db/seed.ts does not export seed(db)");
    return mod.seed;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String((error as Error).message).includes("seed")) {
      return undefined;
    }
    throw error;
  }
}

export interface Prepared {
  migrateMs: number;
  seed: "created" | "present" | "no db/seed.ts yet";
}

export async function prepareDatabase(opened: Opened, log: (line: string) => void = console.log): Promise<Prepared> {
  const t0 = performance.now();
  await migrate(opened);
  const migrateMs = Math.round(performance.now() - t0);
  log(`migrated ${opened.label} in ${migrateMs} ms`);
  const seed = await loadSeed();
  if (!seed) {
    log("db/seed.ts not found: database left unseeded");
    return { migrateMs, seed: "no db/seed.ts yet" };
  }
  const { created } = await seed(opened.db);
  log(created ? "seeded the database (first run)" : "seed data already present");
  return { migrateMs, seed: created ? "created" : "present" };
}
