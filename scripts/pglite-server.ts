/**
 * Embedded Postgres: PGlite (data under .data/pglite) served over the Postgres wire protocol on
 * 127.0.0.1:$PGLITE_PORT (default 5433): @electric-sql/pglite-socket's per-connection handler
 * (framing, SSL refusal) in front of our SessionQueue (scripts/pglite-sessions.ts).
 *
 * All connections share ONE PGlite backend: a client holds it for a whole exchange (until its Sync
 * is answered) or transaction, so statements of different clients never interleave; a transaction
 * holds the backend until it ends (a connection that waits on another one inside a transaction
 * deadlocks). Connections are bounded (maxConnections; one more gets a proper "too many
 * connections" error) and closed after idleTimeout without traffic. ADR 011.
 *
 * CLI (`tsx scripts/pglite-server.ts`): opens the directory, migrates and seeds (same process: a
 * PGlite directory must only ever be open in one process), then listens. SIGINT/SIGTERM stop the
 * listener and close PGlite cleanly. Env: PGLITE_PORT, PGLITE_DIR, PGLITE_MAX_CONNECTIONS.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { PGLiteSocketHandler } from "@electric-sql/pglite-socket";
import { openPglite, type Opened } from "../db/open";
import type { PGlite } from "@electric-sql/pglite";
import { SessionQueue } from "./pglite-sessions";
import { watchParent } from "./proc";
import { repoRoot } from "./paths";

export const defaultPgliteDir = path.join(repoRoot, ".data", "pglite");

export interface PgliteServerOptions {
  /** Directory of the database; omitted = in-memory. */
  dataDir?: string;
  /** Default 5433; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Concurrent client connections accepted (they still share one backend). Default 64. */
  maxConnections?: number;
  /** A connection with no traffic for this long is closed (its transaction rolled back). Default 60 s. */
  idleTimeoutMs?: number;
  /** Runs on the opened database before the port opens (migrate + seed). */
  prepare?: (opened: Opened) => Promise<unknown>;
}

export interface PgliteServer {
  port: number;
  /** postgres://postgres:postgres@127.0.0.1:<port>/postgres */
  url: string;
  pglite: PGlite;
  label: string;
  /** Open client connections right now. */
  connections(): number;
  /** Stops listening, drops the connections, closes PGlite (flushes the directory). Idempotent. */
  close(): Promise<void>;
}

/** Refuses to open a directory that another live process has open (PGlite is single-process). */
function lockDir(dataDir: string): () => void {
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const lock = `${dataDir}.lock`;
  try {
    const pid = Number(readFileSync(lock, "utf8").trim());
    if (pid && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        throw new Error(`${dataDir} is already open in process ${pid} (lock ${lock}); stop it first`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

export async function startPgliteServer(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  const unlock = dataDir ? lockDir(dataDir) : () => {};
  let opened: Awaited<ReturnType<typeof openPglite>>;
  try {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    opened = await openPglite(dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  const host = options.host ?? "127.0.0.1";
  const maxConnections = options.maxConnections ?? 64;
  const handlers = new Set<PGLiteSocketHandler>();
  const queue = new SessionQueue(opened.pglite, (id) => {
    // detach() drops the socket's listeners first, so no "close" event follows: forget it here.
    for (const h of handlers) if (h.handlerId === id) void h.detach(true).finally(() => handlers.delete(h));
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    if (handlers.size >= maxConnections) {
      socket.end(tooManyConnections(maxConnections), () => socket.destroy());
      return;
    }
    const handler = new PGLiteSocketHandler({
      // Same interface as pglite-socket's own queue (enqueue, clearQueueForHandler, clearTransactionIfNeeded).
      queryQueue: queue as unknown as ConstructorParameters<typeof PGLiteSocketHandler>[0]["queryQueue"],
      closeOnDetach: true,
      idleTimeout: options.idleTimeoutMs ?? 60_000,
    });
    handlers.add(handler);
    const gone = () => handlers.delete(handler);
    handler.addEventListener("close", gone);
    handler.addEventListener("error", gone);
    handler.attach(socket).catch(() => {
      gone();
      socket.destroy();
    });
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      try {
        await Promise.all([...handlers].map((h) => h.detach(true)));
        handlers.clear();
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      } finally {
        await opened.close();
        unlock();
      }
    })());
  try {
    if (options.prepare) await options.prepare(opened);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 5433, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await close();
    throw error;
  }
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    pglite: opened.pglite,
    label: opened.label,
    connections: () => handlers.size,
    close,
  };
}

/** A Postgres ErrorResponse (FATAL 53300), so that clients report it instead of a protocol error. */
function tooManyConnections(max: number): Buffer {
  const fields = ["SFATAL", "VFATAL", "C53300", `Msorry, too many clients already (the embedded database accepts ${max})`];
  const body = Buffer.concat([...fields.map((f) => Buffer.from(`${f}\0`)), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write("E", 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { prepareDatabase } = await import("./prepare-db");
  const dataDir = process.env.PGLITE_DIR ? path.resolve(process.env.PGLITE_DIR) : defaultPgliteDir;
  const t0 = performance.now();
  const server = await startPgliteServer({
    dataDir,
    port: Number(process.env.PGLITE_PORT ?? 5433),
    maxConnections: Number(process.env.PGLITE_MAX_CONNECTIONS ?? 64),
    // The stack passes NPC_SECRET when the demo world is on (npc/).
    prepare: (opened) =>
      prepareDatabase(opened, console.log, process.env.NPC_SECRET ? { demoWorld: { secret: process.env.NPC_SECRET, markets: process.env.DEMO_WORLD_MARKETS?.split(",") } } : {}),
  });
  console.log(`PGlite (${path.relative(process.cwd(), dataDir) || dataDir}) listening on ${server.url} after ${Math.round(performance.now() - t0)} ms`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing PGlite`);
    await server.close();
    console.log("PGlite closed");
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(signal));
  watchParent(() => void stop("parent gone"));
}

