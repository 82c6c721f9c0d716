/**
 * Embedded Postgres: PGlite (data under .data/pglite) served over the Postgres wire protocol by
 * @electric-sql/pglite-socket on 127.0.0.1:$PGLITE_PORT (default 5433).
 *
 * All connections share ONE PGlite backend: statements run one at a time and a transaction holds
 * the backend until it ends (a connection that waits on another one inside a transaction
 * deadlocks). Fine for the embedded default; use a real Postgres for anything concurrent.
 *
 * CLI (`tsx scripts/pglite-server.ts`): opens the directory, migrates and seeds (same process: a
 * PGlite directory must only ever be open in one process), then listens. SIGINT/SIGTERM stop the
 * listener and close PGlite cleanly. Env: PGLITE_PORT, PGLITE_DIR, PGLITE_MAX_CONNECTIONS.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { openPglite, type Opened } from "../db/open";
import type { PGlite } from "@electric-sql/pglite";
import { watchParent } from "./proc";
import { repoRoot } from "./paths";

export const defaultPgliteDir = path.join(repoRoot, ".data", "pglite");

export interface PgliteServerOptions {
  /** Directory of the database; omitted = in-memory. */
  dataDir?: string;
  /** Default 5433; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Concurrent client connections accepted (they still share one backend). Default 100. */
  maxConnections?: number;
  /** Runs on the opened database before the port opens (migrate + seed). */
  prepare?: (opened: Opened) => Promise<unknown>;
}

export interface PgliteServer {
  port: number;
  /** postgres://postgres:postgres@127.0.0.1:<port>/postgres */
  url: string;
  pglite: PGlite;
  label: string;
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
  const server = new PGLiteSocketServer({
    db: opened.pglite,
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 5433,
    maxConnections: options.maxConnections ?? 100,
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      try {
        await server.stop();
      } finally {
        await opened.close();
        unlock();
      }
    })());
  try {
    if (options.prepare) await options.prepare(opened);
    await server.start();
  } catch (error) {
    await close();
    throw error;
  }
  const port = Number(server.getServerConn().split(":").pop());
  const host = options.host ?? "127.0.0.1";
  return {
    port,
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    pglite: opened.pglite,
    label: opened.label,
    close,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { prepareDatabase } = await import("./prepare-db");
  const dataDir = process.env.PGLITE_DIR ? path.resolve(process.env.PGLITE_DIR) : defaultPgliteDir;
  const t0 = performance.now();
  const server = await startPgliteServer({
    dataDir,
    port: Number(process.env.PGLITE_PORT ?? 5433),
    maxConnections: Number(process.env.PGLITE_MAX_CONNECTIONS ?? 100),
    prepare: (opened) => prepareDatabase(opened),
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

