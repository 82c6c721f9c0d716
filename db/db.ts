/**
 * Driver-neutral database handle. Node scripts and tests open it on PGlite or node-postgres
 * (db/open.ts); the edge and the rooms open it with the Neon driver (db/neon.ts). Everything
 * else takes a `Db` and does not care which.
 */
import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
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
 * Like `rows`, as a prepared statement: Postgres parses and plans the statement once per
 * connection and then reuses the plan (a generic plan once it has seen five), instead of parsing
 * and planning it on every call. For the hot statements whose text has few shapes (the market
 * batch's write, ADR 019/032): the name is a hash of the text, so each shape is its own statement.
 * How, by {@link useNamedStatements}:
 *   "protocol": a named statement of the wire protocol, through drizzle's session.prepareQuery
 *               (pinned drizzle-orm; tests/db/prepared.test.ts runs it on every driver; PGlite
 *               ignores the name and runs it as usual);
 *   "server":   bazaar_prepared (migration 0037, ADR 047) prepares it inside the backend, for
 *               connections that cannot carry protocol names. Each row comes back through jsonb:
 *               text stays text, but numbers come back as JSON numbers, so its callers select text;
 *   "off":      planned on every call (rows()).
 */
export async function rowsPrepared<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  if (preparing === "off") return rows<T>(db, query);
  if (preparing === "server") return rowsServerPrepared<T>(db, query);
  const session = (db as unknown as { session?: PreparingSession }).session;
  if (!session?.prepareQuery || !session.dialect) return rows<T>(db, query);
  const built = session.dialect.sqlToQuery(query);
  const result = (await session.prepareQuery(built, undefined, statementName(built.sql), false).execute()) as { rows?: T[] } | T[];
  return Array.isArray(result) ? result : (result.rows ?? []);
}

export type Preparing = "protocol" | "server" | "off";
let preparing: Preparing = "protocol";

/**
 * "protocol" by default. Not where connections cannot carry named statements: the embedded PGlite
 * server (scripts/pglite-server.ts) serves every connection from the same session, so a statement
 * one connection prepared would already exist for the next ("prepared statement ... already
 * exists"), and a transaction-mode pooler without max_prepared_statements sends each transaction
 * to any backend. The rooms read DB_NAMED_STATEMENTS (on, server, off; scripts/stack.ts sets
 * server for the embedded stack).
 */
export function useNamedStatements(how: Preparing): void {
  preparing = how;
}

/** DB_NAMED_STATEMENTS as the rooms read it: "off", "server", anything else (unset, "on") the protocol's. */
export function preparingFrom(value: string | undefined): Preparing {
  return value === "off" ? "off" : value === "server" ? "server" : "protocol";
}

const dialect = new PgDialect();
/** bazaar_prepared takes at most this many arguments (Postgres's FUNC_MAX_ARGS is 100). */
const SERVER_MAX_PARAMS = 96;

/** A parameter as the text Postgres would receive for it, or undefined for a value with no plain text form. */
function asText(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

async function rowsServerPrepared<T>(db: Db, query: SQL): Promise<T[]> {
  const built = dialect.sqlToQuery(query);
  const params = built.params.map(asText);
  // Anything without a plain text form (arrays, buffers) is planned as usual.
  if (params.length > SERVER_MAX_PARAMS || params.some((p) => p === undefined)) return rows<T>(db, query);
  const args = params.map((p) => sql`${p}`);
  const found = await rows<{ row: T | string }>(db, sql`select bazaar_prepared(${statementName(built.sql)}, ${built.sql}${args.length ? sql`, ${sql.join(args, sql`, `)}` : sql``}) as row`);
  return found.map((r) => (typeof r.row === "string" ? (JSON.parse(r.row) as T) : r.row));
}

interface PreparingSession {
  dialect?: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  prepareQuery?(query: { sql: string; params: unknown[] }, fields: undefined, name: string, arrayMode: boolean): { execute(): Promise<unknown> };
}

/** Names already worked out, by text: a room names its batch statement on every batch (a few shapes). */
const named = new Map<string, string>();
const NAMED_MAX = 512;

/**
 * "bz_" and the FNV-1a hash of the text (32 bits, hex): stable across processes. Remembered per
 * text: hashing a batch's statement in JavaScript, every batch, was the rooms' hottest function of
 * their own (about 2% of workerd's CPU at 250 orders/s, docs/PERFORMANCE.md 2026-12-07 15:40).
 */
export function statementName(text: string): string {
  const known = named.get(text);
  if (known !== undefined) return known;
  if (named.size >= NAMED_MAX) named.clear();
  const name = fnvName(text);
  named.set(text, name);
  return name;
}

function fnvName(text: string): string {
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
