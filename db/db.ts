/**
 * Driver-neutral database handle. Node scripts and tests open it on PGlite or node-postgres
 * (db/open.ts); the edge and the rooms open it with the Neon driver (db/neon.ts). Everything
 * else takes a `Db` and does not care which.
 */
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema";

export type Schema = typeof schema;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<PgQueryResultHKT, Schema, any>;

/** Run raw SQL and return its rows, whatever the driver's result shape. */
export async function rows<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows?: T[] } | T[];
  return Array.isArray(result) ? result : (result.rows ?? []);
}

const RETRYABLE = new Set(["40001", "40P01"]); // serialization failure, deadlock detected

/** Postgres error code of an error thrown by any of the drivers (drizzle wraps them). */
export function pgErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let i = 0; i < 4 && e && typeof e === "object"; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * One transaction, retried (bounded, with jitter) when Postgres reports a deadlock or a
 * serialization failure. Anything thrown by `fn` rolls the transaction back and is rethrown.
 */
export async function withTx<T>(db: Db, fn: (tx: Db) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => fn(tx as unknown as Db));
    } catch (error) {
      if (attempt >= attempts || !RETRYABLE.has(pgErrorCode(error) ?? "")) throw error;
      await new Promise((r) => setTimeout(r, 2 ** attempt + Math.random() * 10));
    }
  }
}
