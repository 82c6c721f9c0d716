/**
 * Node-side connections (scripts, tests, benches): PGlite for the embedded default, node-postgres
 * for a real server. The edge and the rooms use db/neon.ts instead.
 */
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Db } from "./db";
import * as schema from "./schema";

export interface Opened {
  db: Db;
  /** "pglite:<dir|memory>" or "postgres:<host:port/db>" for logs and test reports. */
  label: string;
  close(): Promise<void>;
}

export async function openPostgres(url: string, max = 10): Promise<Opened> {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client whose server connection dies (restart, DROP DATABASE ... FORCE) emits 'error' on
  // the pool; unhandled, it would crash the process. The next checkout simply reconnects.
  pool.on("error", (error) => {
    if ((error as { code?: string }).code !== "57P01") console.warn(`postgres pool: ${error.message}`);
  });
  const u = new URL(url);
  return {
    db: drizzlePg(pool, { schema }) as unknown as Db,
    label: `postgres:${u.host}${u.pathname}`,
    close: () => pool.end(),
  };
}

export async function openPglite(dataDir?: string, client?: PGlite): Promise<Opened & { pglite: PGlite }> {
  const pglite = client ?? (await PGlite.create(dataDir ? { dataDir } : {}));
  return {
    db: drizzlePglite(pglite, { schema }) as unknown as Db,
    pglite,
    label: `pglite:${dataDir ?? "memory"}`,
    close: () => pglite.close(),
  };
}

/** DATABASE_URL if set, else the embedded PGlite under .data/pglite. */
export async function openDefault(): Promise<Opened> {
  const url = process.env.DATABASE_URL;
  return url ? openPostgres(url) : openPglite(process.env.PGLITE_DIR ?? ".data/pglite");
}
