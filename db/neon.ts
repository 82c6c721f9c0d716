/**
 * The edge's and the rooms' database handle: drizzle over the Neon serverless driver.
 * Workers forbid sharing I/O objects across requests, so the edge opens one small Pool per request
 * and ends it after the response (ctx.waitUntil(close())); a room keeps one bounded pool for its
 * life. Locally NEON_WS_PROXY points the driver at a WebSocket-to-TCP proxy in front of a plain
 * Postgres or the embedded PGlite (scripts/ws-proxy.ts).
 *
 * Every connection is closed, and none is waited on forever: see fixSocketShim below and docs/decisions/011-embedded-database-connections.md.
 */
import "./native-buffer";
import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import type { Db } from "./db";
import * as schema from "./schema";

export interface NeonOptions {
  databaseUrl: string;
  /** e.g. "127.0.0.1:8789/v1": ws://<proxy>?address=<host>:<port>, no TLS, no pipelining. */
  wsProxy?: string;
  max?: number;
  /** A pooled connection idle this long is closed (ms). Default 10 s. */
  idleTimeoutMillis?: number;
  /** A connection (or a free pooled one) not had by then fails the query (ms). Default 5 s. */
  connectionTimeoutMillis?: number;
}

function configure(wsProxy: string | undefined): void {
  if (!wsProxy) return;
  neonConfig.wsProxy = (host, port) => `${wsProxy}?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  // The default pipelining crashes uncatchably against SCRAM auth on a plain Postgres.
  neonConfig.pipelineConnect = false;
  // The default coalescing adds ~2.5 ms per round trip.
  neonConfig.coalesceWrites = false;
}

type SocketWrite = (data: unknown, encoding?: unknown, callback?: unknown) => boolean;
interface ShimSocket {
  destroyed: boolean;
  ws?: { close(): void };
  emit(event: string, ...args: unknown[]): boolean;
  closeEmitted?: boolean;
}
let shimFixed = false;

/**
 * Two fixes to the driver's WebSocket Socket shim (the shim class IS neonConfig):
 *
 * write: the driver's pg Connection ends a connection with `stream.write(Terminate, callback)`,
 * node's (data, callback) form; the shim only takes write(data, encoding, callback), so the callback
 * landed in the encoding slot, was never called, and the WebSocket was never closed: every ended
 * client (pool.end(), idle timeout) left its socket, and the proxy's database connection, open
 * forever. Accept both forms.
 *
 * destroy: pg gives up on a connection by `stream.destroy()` (its connection timeout) and then waits
 * for the stream's "close". The shim's destroy only asks the WebSocket to close, and a WebSocket that
 * never opened (the proxy was killed during the handshake) may never say "close": the connect, and
 * the room's batch waiting for it, hung forever. destroy now says "close" itself (once).
 */
export function fixSocketShim(): void {
  if (shimFixed) return;
  shimFixed = true;
  const proto = (neonConfig as unknown as { prototype: { write: SocketWrite; destroy(error?: unknown): unknown; emit(event: string, ...args: unknown[]): boolean } }).prototype;
  const write = proto.write;
  proto.write = function (this: unknown, data, encoding, callback) {
    return typeof encoding === "function" ? write.call(this, data, undefined, encoding) : write.call(this, data, encoding, callback);
  };
  const emit = proto.emit;
  proto.emit = function (this: ShimSocket, event: string, ...args: unknown[]) {
    if (event === "close") {
      if (this.closeEmitted) return false;
      this.closeEmitted = true;
    }
    return emit.call(this, event, ...args);
  };
  proto.destroy = function (this: ShimSocket, error?: unknown) {
    if (this.closeEmitted) return this;
    this.destroyed = true;
    try {
      this.ws?.close();
    } catch {
      // a WebSocket still connecting may refuse close(); it is abandoned either way
    }
    if (error !== undefined) this.emit("error", error);
    this.emit("close");
    return this;
  };
}

/**
 * Who wants to hear of each statement a checked-out client runs (a transaction's: BEGIN, the
 * batch's reads and writes, COMMIT). The market room sets onStatement while a traced batch runs
 * (its SQL spans, ADR 040) and clears it after; unset, a statement costs one property read.
 */
export interface StatementWatch {
  onStatement?: (text: string, start: number, end: number, error?: unknown) => void;
}

const statementText = (q: unknown): string => (typeof q === "string" ? q : typeof (q as { text?: unknown })?.text === "string" ? (q as { text: string }).text : "");

interface PooledClient {
  query(...args: unknown[]): unknown;
  release(error?: unknown): void;
  _queryable?: boolean;
  _ending?: boolean;
  /** Its query is wrapped already (guardCheckouts). */
  _guarded?: boolean;
}

/**
 * drizzle's transaction() checks a client out of the pool and sends BEGIN before its try/finally:
 * when BEGIN fails (the connection died) the client is never released. Each lost connection then
 * leaked a pool slot until the room's pool was full and every batch after it waited forever. Every
 * client checked out with `await pool.connect()` is therefore given back, marked broken, on the
 * first query that fails because its connection is gone (not on a SQL error: the connection is fine
 * then), and its release is made safe to call again (drizzle's finally still calls it).
 */
export function guardCheckouts(pool: Pick<Pool, "connect">, watch?: StatementWatch): void {
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { connect: (...args: unknown[]) => unknown }).connect = (...args: unknown[]) => {
    if (args.length > 0) return connect(...args); // the callback form (pool.query) releases by itself
    return (connect() as Promise<PooledClient>).then((client) => {
      const release = client.release.bind(client);
      let released = false;
      client.release = (error?: unknown) => {
        if (released) return;
        released = true;
        release(error);
      };
      // Wrapped once per client, not per checkout: the pool hands the same client out again and
      // again (it sets a fresh release each time, never a fresh query), and a wrapper added at every
      // checkout nested one more closure per batch for the connection's life (thousands of layers
      // under load; each statement went through all of them).
      if (client._guarded) return client;
      client._guarded = true;
      const query = client.query.bind(client);
      client.query = (...q: unknown[]) => {
        const on = watch?.onStatement;
        const started = on ? Date.now() : 0;
        const result = query(...q);
        if (on && result instanceof Promise) {
          const text = statementText(q[0]);
          result.then(
            () => on(text, started, Date.now()),
            (error: unknown) => on(text, started, Date.now(), error),
          );
        }
        if (result instanceof Promise) {
          // client.release is the current checkout's (guarded above, set again at every checkout).
          result.catch((error: unknown) => {
            if (client._queryable === false || client._ending) client.release(error instanceof Error ? error : new Error(String(error)));
          });
        }
        return result;
      };
      return client;
    });
  };
}

interface ClientLike {
  connection?: { stream?: { end?: () => unknown; destroyed?: boolean } };
}

export function openNeon(options: NeonOptions): { db: Db; close(): Promise<void>; statements: StatementWatch } {
  configure(options.wsProxy);
  fixSocketShim();
  const pool = new Pool({
    connectionString: options.databaseUrl,
    max: options.max ?? 5,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 10_000,
    // A connection not made by then is given up (an error the caller retries), never waited on forever.
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
  });
  const statements: StatementWatch = {};
  guardCheckouts(pool, statements);
  // Belt and braces: whatever the driver does on end, the sockets of this pool are closed by close().
  const clients = new Set<ClientLike>();
  pool.on("connect", (client: unknown) => clients.add(client as ClientLike));
  pool.on("remove", (client: unknown) => clients.delete(client as ClientLike));
  // An idle client's socket error must not become an unhandled rejection.
  pool.on("error", (error: unknown) => console.error(JSON.stringify({ ts: new Date().toISOString(), level: "warn", msg: "neon pool error", error: String(error) })));
  let closed: Promise<void> | undefined;
  return {
    db: drizzle(pool, { schema }) as unknown as Db,
    statements,
    close: () =>
      (closed ??= pool
        .end()
        .catch(() => undefined)
        .finally(() => {
          for (const client of clients) {
            const stream = client.connection?.stream;
            if (stream && !stream.destroyed) stream.end?.();
          }
          clients.clear();
        })),
  };
}
