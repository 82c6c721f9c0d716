/**
 * The edge's and the rooms' database handle: drizzle over the Neon serverless driver.
 * Workers forbid sharing I/O objects across requests, so the edge opens one small Pool per request
 * and ends it after the response (ctx.waitUntil(close())); a room keeps one bounded pool for its
 * life. Locally NEON_WS_PROXY points the driver at a WebSocket-to-TCP proxy in front of a plain
 * Postgres or the embedded PGlite (scripts/ws-proxy.ts).
 *
 * Every connection is closed: see closeSockets below and docs/decisions/011-embedded-database-connections.md.
 */
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
let writeFixed = false;

/**
 * The driver's pg Connection ends a connection with `stream.write(Terminate, callback)`, node's
 * (data, callback) form; the driver's WebSocket Socket shim only takes write(data, encoding,
 * callback), so the callback lands in the encoding slot, is never called, and the WebSocket is
 * never closed: every ended client (pool.end(), idle timeout) left its socket, and the proxy's
 * database connection, open forever. Accept both forms. The shim class IS neonConfig.
 */
export function fixSocketWrite(): void {
  if (writeFixed) return;
  writeFixed = true;
  const proto = (neonConfig as unknown as { prototype: { write: SocketWrite } }).prototype;
  const write = proto.write;
  proto.write = function (this: unknown, data, encoding, callback) {
    return typeof encoding === "function" ? write.call(this, data, undefined, encoding) : write.call(this, data, encoding, callback);
  };
}

interface ClientLike {
  connection?: { stream?: { end?: () => unknown; destroyed?: boolean } };
}

export function openNeon(options: NeonOptions): { db: Db; close(): Promise<void> } {
  configure(options.wsProxy);
  fixSocketWrite();
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.max ?? 5, idleTimeoutMillis: options.idleTimeoutMillis ?? 10_000 });
  // Belt and braces: whatever the driver does on end, the sockets of this pool are closed by close().
  const clients = new Set<ClientLike>();
  pool.on("connect", (client: unknown) => clients.add(client as ClientLike));
  pool.on("remove", (client: unknown) => clients.delete(client as ClientLike));
  // An idle client's socket error must not become an unhandled rejection.
  pool.on("error", (error: unknown) => console.error(JSON.stringify({ msg: "neon pool error", error: String(error) })));
  let closed: Promise<void> | undefined;
  return {
    db: drizzle(pool, { schema }) as unknown as Db,
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
