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

/**
 * Like `rows`, as a named prepared statement: Postgres parses and plans the statement once per
 * connection and then reuses the plan (a generic plan once it has seen five), instead of parsing
 * and planning it on every call. For the hot statements whose text has few shapes (the market
 * batch's read and write, ADR 019): the name is a hash of the text, so each shape is its own
 * statement. Uses drizzle's session.prepareQuery (pinned drizzle-orm; tests/db/prepared.test.ts
 * runs it on every driver). PGlite ignores the name and runs it as usual.
 */
export async function rowsPrepared<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const session = (db as unknown as { session?: PreparingSession }).session;
  if (!namedStatements || !session?.prepareQuery || !session.dialect) return rows<T>(db, query);
  const built = session.dialect.sqlToQuery(query);
  const result = (await session.prepareQuery(built, undefined, statementName(built.sql), false).execute()) as { rows?: T[] } | T[];
  return Array.isArray(result) ? result : (result.rows ?? []);
}

let namedStatements = true;

/**
 * Off where connections share one backend: the embedded PGlite server (scripts/pglite-server.ts)
 * serves every connection from the same session, so a statement one connection prepared would
 * already exist for the next ("prepared statement ... already exists"). The rooms turn it off
 * when DB_NAMED_STATEMENTS=off (scripts/stack.ts sets it for the embedded stack).
 */
export function useNamedStatements(on: boolean): void {
  namedStatements = on;
}

interface PreparingSession {
  dialect?: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  prepareQuery?(query: { sql: string; params: unknown[] }, fields: undefined, name: string, arrayMode: boolean): { execute(): Promise<unknown> };
}

/** "bz_" and the FNV-1a hash of the text (32 bits, hex): stable across processes. */
export function statementName(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `bz_${(h >>> 0).toString(16).padStart(8, "0")}_${text.length}`;
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
