/**
 * The edge's and the rooms' database handle: drizzle over the Neon serverless driver.
 * Workers forbid sharing I/O objects across requests, so open one Pool per request and end it
 * after the response (ctx.waitUntil(close())). Locally NEON_WS_PROXY points the driver at a
 * WebSocket-to-TCP proxy in front of a plain Postgres (scripts/ws-proxy.ts).
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

export function openNeon(options: NeonOptions): { db: Db; close(): Promise<void> } {
  configure(options.wsProxy);
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.max ?? 5 });
  // An idle client's socket error must not become an unhandled rejection.
  pool.on("error", (error: unknown) => console.error(JSON.stringify({ msg: "neon pool error", error: String(error) })));
  let closed: Promise<void> | undefined;
  return {
    db: drizzle(pool, { schema }) as unknown as Db,
    close: () => (closed ??= pool.end().catch(() => undefined)),
  };
}
