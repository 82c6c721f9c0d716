/**
 * A local stand-in for Neon's pooler: Debian's PgBouncer in transaction mode in front of the bench's
 * scratch database (Neon's pooled connection string is PgBouncer in transaction mode). Clients (the
 * rooms, through the WebSocket proxy) keep their connections; a server connection is lent for one
 * transaction only, so however many rooms hold connections, Postgres sees at most `serverConnections`.
 * Transaction mode keeps no session state: PgBouncer 1.18 cannot carry the protocol's named
 * statements across server connections, so the rooms run with DB_NAMED_STATEMENTS=server (each
 * backend prepares the batch's statement itself, ADR 047) and take advisory locks per transaction only.
 * `apt-get install -y pgbouncer`; started as its own process, stopped by its PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { canConnect, sleep } from "../../scripts/proc";
import { repoRoot } from "../../scripts/paths";

export const PGBOUNCER = "/usr/sbin/pgbouncer";

export interface Pooler {
  /** The scratch database's URL through the pooler. */
  url: string;
  stop(): Promise<void>;
}

/** PgBouncer's pool for one database, summed over SHOW POOLS samples (see {@link poolSampler}). */
export interface PoolSamples { samples: number; serverActive: number; serverIdle: number; clientsWaiting: number }

/**
 * Samples PgBouncer's console (`SHOW POOLS`, simple protocol) for `database`: how many server
 * connections carry a transaction, how many sit idle, how many clients wait for one. Means over the
 * samples show whether the pool, rather than what is behind it or in front of it, holds the rooms back.
 */
export async function poolSampler(poolerUrl: string, database: string): Promise<{ sample(into: PoolSamples): Promise<void>; end(): Promise<void> }> {
  const url = new URL(poolerUrl);
  url.pathname = "/pgbouncer";
  const console_ = new pg.Client({ connectionString: url.toString() });
  await console_.connect();
  return {
    sample: async (into) => {
      const { rows } = await console_.query<Record<string, string>>("show pools");
      const row = rows.find((r) => r.database === database);
      if (!row) return;
      into.samples++;
      into.serverActive += Number(row.sv_active);
      into.serverIdle += Number(row.sv_idle);
      into.clientsWaiting += Number(row.cl_waiting);
    },
    end: () => console_.end(),
  };
}

export async function startPgBouncer(opts: { databaseUrl: string; port: number; serverConnections: number; maxClients?: number }): Promise<Pooler> {
  if (!existsSync(PGBOUNCER)) throw new Error(`${PGBOUNCER} is missing: apt-get install -y pgbouncer (or BENCH_POOLER=proxy)`);
  if (await canConnect(opts.port)) throw new Error(`port ${opts.port} is already in use (BENCH_POOLER_PORT)`);
  const target = new URL(opts.databaseUrl);
  const db = target.pathname.slice(1);
  const dir = path.join(repoRoot, ".data", `pgbouncer-${opts.port}`);
  mkdirSync(dir, { recursive: true });
  const user = decodeURIComponent(target.username || "postgres");
  writeFileSync(path.join(dir, "users.txt"), `"${user}" ""\n`);
  const ini = path.join(dir, "pgbouncer.ini");
  writeFileSync(
    ini,
    [
      "[databases]",
      `${db} = host=${target.hostname} port=${target.port || 5432} dbname=${db} user=${user}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${opts.port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${path.join(dir, "users.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${opts.serverConnections}`,
      `max_db_connections = ${opts.serverConnections}`,
      `max_client_conn = ${opts.maxClients ?? 4_000}`,
      "server_reset_query =",
      // SHOW POOLS / SHOW STATS on the console (db "pgbouncer") for the bench's samples.
      `stats_users = ${user}`,
      "ignore_startup_parameters = extra_float_digits,options",
      "",
    ].join("\n"),
  );
  const logs = path.join(repoRoot, ".data", "logs");
  mkdirSync(logs, { recursive: true }); // a fresh clone has no .data/logs yet
  const log = openSync(path.join(logs, "bench-pgbouncer.log"), "a");
  // PgBouncer refuses to run as root: -u drops to the postgres user (the files above are world-readable).
  const args = process.getuid?.() === 0 ? ["-u", "postgres", ini] : [ini];
  const child: ChildProcess = spawn(PGBOUNCER, args, { stdio: ["ignore", log, log] });
  let exited = false;
  child.once("exit", () => (exited = true));
  for (let i = 0; i < 100 && !(await canConnect(opts.port)); i++) {
    if (exited) throw new Error("pgbouncer exited at start: see .data/logs/bench-pgbouncer.log");
    await sleep(100);
  }
  if (!(await canConnect(opts.port))) throw new Error("pgbouncer did not listen within 10 s");
  const url = new URL(opts.databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(opts.port);
  return {
    url: url.toString(),
    stop: async () => {
      if (exited || child.pid === undefined) return;
      child.kill("SIGTERM");
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) child.kill("SIGKILL");
    },
  };
}
