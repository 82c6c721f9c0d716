/**
 * The whole local stack, programmatically: used by `npm start` (scripts/start.ts) and by the HTTP
 * test suites (tests/http/setup.ts).
 *
 *   [db]    PGlite served on 127.0.0.1:<pglite>       (only without databaseUrl; migrates + seeds first)
 *   [proxy] WebSocket-to-TCP proxy on 127.0.0.1:<wsProxy> for the Neon driver (local Postgres only)
 *   [web]   wrangler dev on the built Remix worker, 127.0.0.1:<web>
 *   [party] partykit dev, 127.0.0.1:<party> (and its inspector proxy on 127.0.0.1; patches/partykit+0.0.115.patch)
 *
 * Children run under concurrently (one prefixed log), each in its own process group so that
 * stop() can signal the whole tree (sh -> node -> workerd) by PID and wait until it is gone.
 * Until every part answers, a child that exits fails the start; from then on scripts/supervise.ts
 * restarts a child that exits, or that stays alive without answering its probe (backoff 0.5 s
 * doubling to 10 s), and stop() also ends the supervision (a child waiting to restart stays down).
 */
import { spawn as spawnChild, type SpawnOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { createConcurrently, Logger, LogError, LogOutput, type Command, type FlowController } from "concurrently";
import { LogTail } from "./log-tail";
import { capLogDir } from "./logs/cap";
import { recordSecrets } from "./logs/secrets-ledger";
import { canConnect, groupAlive, sleep, waitForHttp, waitForReady, waitForTcp } from "./proc";
import { repoRoot } from "./paths";
import { supervise, type Supervised } from "./supervise";
import { generateVapidKeys } from "./vapid";

export interface StackPorts {
  web: number;
  party: number;
  pglite: number;
  wsProxy: number;
}

export const defaultPorts = (env: NodeJS.ProcessEnv = process.env): StackPorts => ({
  web: Number(env.PORT ?? 8787),
  party: Number(env.PARTY_PORT ?? 1999),
  pglite: Number(env.PGLITE_PORT ?? 5433),
  wsProxy: Number(env.WS_PROXY_PORT ?? 8789),
});

export interface StackOptions {
  /** A real Postgres (no PGlite). Local hosts go through the ws proxy; others (Neon) directly. */
  databaseUrl?: string;
  ports?: Partial<StackPorts>;
  /**
   * Extra worker/room variables (APP_ENV, SESSION_SECRET, ROOM_SECRET, UPSTASH_REDIS_REST_URL,
   * UPSTASH_REDIS_REST_TOKEN, ...). Undefined values are dropped. Secrets not given come from
   * .data/secrets.json (generated once).
   */
  env?: Record<string, string | undefined>;
  /** "auto" (default): build when build/server is missing or older than the sources. */
  build?: "auto" | "always" | "never";
  /** PGlite data directory (default .data/pglite). */
  pgliteDir?: string;
  /** Where the prefixed log goes (default process.stdout). */
  output?: Writable;
  /** Stop everything on SIGINT/SIGTERM/SIGHUP (npm start). Default false. */
  handleSignals?: boolean;
  /** Readiness timeouts in ms. */
  timeouts?: Partial<Record<"db" | "proxy" | "web" | "party" | "build", number>>;
  /**
   * The demo world (npc/): the embedded database creates the NPC traders and a week of history
   * before it listens (a DATABASE_URL is prepared by the caller), and [npc] trades live once the
   * stack is up. Off when undefined.
   */
  demoWorld?: { markets?: string[]; stepMs?: number };
}

export interface Stack {
  /** http://127.0.0.1:<web> */
  url: string;
  /** http://127.0.0.1:<party> */
  partyUrl: string;
  /** The Postgres the worker and the rooms use. */
  databaseUrl: string;
  ports: StackPorts;
  /** Every variable passed to the worker and the rooms. */
  vars: Record<string, string>;
  /** Resolves when the stack has stopped (by stop(), a signal, or a child failing to start), with the reason. */
  stopped: Promise<string>;
  /** Process ids (each the leader of its process group) of the running children, by name. */
  pids(): Record<string, number>;
  /** Restarts by the supervisor so far, by child name (scripts/supervise.ts). */
  restarts(): Record<string, number>;
  /** Signals every child's process group, waits for them to exit (SIGKILL after a grace period). */
  stop(reason?: string): Promise<void>;
}

const bin = (name: string) => path.join(repoRoot, "node_modules", ".bin", name);
/** POSIX shell quoting for concurrently's `sh -c` command lines. */
export const shq = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
const cmd = (...args: string[]) => args.map(shq).join(" ");

/** At most this much of wrangler dev's debug logs under .data/logs/wrangler (WRANGLER_LOG_MAX_MB, default 256). */
const WRANGLER_LOG_MAX_BYTES = Number(process.env.WRANGLER_LOG_MAX_MB ?? 256) * 1024 * 1024;

/** The embedded PGlite's connection budget (the proxy queues the rest; see ADR 011). */
export const EMBEDDED_MAX_CONNECTIONS = 32;

const isLocalHost = (host: string) => ["127.0.0.1", "localhost", "::1", "[::1]"].includes(host);

/** Tool state (wrangler, partykit, npm caches) inside .data/, not in $HOME. */
export function quietToolEnv(dataDir = path.join(repoRoot, ".data")): Record<string, string> {
  return {
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
    XDG_CONFIG_HOME: path.join(dataDir, "xdg", "config"),
    XDG_CACHE_HOME: path.join(dataDir, "xdg", "cache"),
    WRANGLER_LOG_PATH: path.join(dataDir, "logs", "wrangler"),
  };
}

/** Development secrets, generated once per checkout into .data/secrets.json. */
export function devSecrets(dataDir = path.join(repoRoot, ".data")): { SESSION_SECRET: string; ROOM_SECRET: string } {
  const file = path.join(dataDir, "secrets.json");
  try {
    const s = JSON.parse(readFileSync(file, "utf8")) as { SESSION_SECRET?: string; ROOM_SECRET?: string };
    if (s.SESSION_SECRET && s.ROOM_SECRET) return { SESSION_SECRET: s.SESSION_SECRET, ROOM_SECRET: s.ROOM_SECRET };
  } catch {
    // first run
  }
  const secrets = { SESSION_SECRET: randomBytes(32).toString("hex"), ROOM_SECRET: randomBytes(32).toString("hex") };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/**
 * The development VAPID key pair for Web Push (ADR 014), generated once per checkout into
 * .data/secrets.json beside the other secrets (kept when they are there already).
 */
export function devVapidKeys(dataDir = path.join(repoRoot, ".data")): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string } {
  const file = path.join(dataDir, "secrets.json");
  let saved: Record<string, string> = {};
  try {
    saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  } catch {
    // first run
  }
  if (saved.VAPID_PUBLIC_KEY && saved.VAPID_PRIVATE_KEY) return { VAPID_PUBLIC_KEY: saved.VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: saved.VAPID_PRIVATE_KEY };
  const keys = generateVapidKeys();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...saved, ...keys }, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Build freshness

const SOURCES = ["app", "edge", "db", "party/protocol.ts", "public", "vite.config.ts", "package-lock.json"];

function newestMtime(p: string): number {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(p)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

/** Why a build is needed, or undefined when build/server is newer than every source. */
export function buildNeeded(root = repoRoot): string | undefined {
  const server = path.join(root, "build", "server", "index.js");
  if (!existsSync(server)) return "build/server is missing";
  const built = statSync(server).mtimeMs;
  for (const source of SOURCES) {
    if (newestMtime(path.join(root, source)) > built) return `${source} changed since the last build`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// concurrently with process groups

/** Each child leads its own process group: a signal reaches sh, node and workerd alike. */
const spawnInGroup = (command: string, options: SpawnOptions) => spawnChild("/bin/sh", ["-c", command], { ...options, detached: true });

function killGroup(pid: number, signal: string | undefined = "SIGTERM") {
  try {
    process.kill(-pid, signal as NodeJS.Signals);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

export interface RunSpec {
  name: string;
  command: string;
  env?: Record<string, string>;
  prefixColor?: string;
}

/** Like concurrently's LogExit, without echoing the command line (it carries the secrets). */
class LogExitShort implements FlowController {
  constructor(private readonly logger: Logger) {}
  handle(commands: Command[]) {
    for (const command of commands) {
      command.close.subscribe(({ exitCode, killed }) => {
        this.logger.logCommandEvent(`exited with ${typeof exitCode === "number" ? `code ${exitCode}` : exitCode}${killed ? " (stopped)" : ""}`, command);
      });
    }
    return { commands };
  }
}

/** concurrently, programmatically: prefixed log, exit logging, process-group spawn and kill. */
export function runGroup(specs: RunSpec[], output: Writable = process.stdout) {
  const logger = new Logger({ prefixFormat: "name" });
  const run = createConcurrently(
    specs.map((s) => ({ name: s.name, command: s.command, env: s.env ?? {}, cwd: repoRoot, ...(s.prefixColor ? { prefixColor: s.prefixColor } : {}) })),
    {
      logger,
      outputStream: output,
      raw: false,
      controllers: [new LogError({ logger }), new LogOutput({ logger }), new LogExitShort(logger)],
      spawn: spawnInGroup,
      kill: killGroup,
      prefixColors: ["blue", "magenta", "green", "cyan", "yellow"],
      successCondition: "all",
    },
  );
  // `result` rejects when any command exits non-zero (stops included): callers that care await it.
  run.result.catch(() => undefined);
  return run;
}

// ---------------------------------------------------------------------------------------------

async function ensureFree(port: number, what: string, envName: string) {
  if (await canConnect(port)) {
    throw new Error(`port ${port} (${what}) is already in use: is another Bazaar running? Stop it or set ${envName}=<port>.`);
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const t0 = performance.now();
  const ports: StackPorts = { ...defaultPorts(), ...options.ports };
  // Everything the stack and its children print, with its last lines kept for a failed start's error.
  const output = new LogTail(options.output ?? process.stdout, 40);
  const timeouts = { db: 180_000, proxy: 20_000, web: 90_000, party: 60_000, build: 300_000, ...options.timeouts };
  const dataDir = path.join(repoRoot, ".data");
  const say = (line: string) => output.write(`[stack] ${line}\n`);

  const embedded = !options.databaseUrl;
  const databaseUrl = options.databaseUrl ?? `postgres://postgres:postgres@127.0.0.1:${ports.pglite}/postgres`;
  const dbUrl = new URL(databaseUrl);
  const useProxy = isLocalHost(dbUrl.hostname);
  const dbAddress = `${dbUrl.hostname}:${dbUrl.port || "5432"}`;

  await ensureFree(ports.web, "web", "PORT");
  await ensureFree(ports.party, "party", "PARTY_PORT");
  if (embedded) await ensureFree(ports.pglite, "PGlite", "PGLITE_PORT");
  if (useProxy) await ensureFree(ports.wsProxy, "ws proxy", "WS_PROXY_PORT");

  const tool = quietToolEnv(dataDir);
  for (const dir of [tool.XDG_CONFIG_HOME, tool.XDG_CACHE_HOME, tool.WRANGLER_LOG_PATH]) mkdirSync(dir!, { recursive: true });
  // wrangler's debug log grows with every request and is never trimmed: bounded here (scripts/logs/cap.ts).
  const capWranglerLog = () => {
    const capped = capLogDir(tool.WRANGLER_LOG_PATH!, WRANGLER_LOG_MAX_BYTES);
    if (capped) say(`wrangler's debug log capped at ${WRANGLER_LOG_MAX_BYTES >> 20} MB (${capped.rotated ? `moved aside: ${capped.rotated}; ` : ""}removed: ${capped.removed.join(", ") || "none"})`);
  };
  capWranglerLog();
  const logCap = setInterval(capWranglerLog, 60_000);
  logCap.unref();

  const given = Object.fromEntries(Object.entries(options.env ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
  const secrets = given.SESSION_SECRET && given.ROOM_SECRET ? {} : devSecrets(dataDir);
  // Web Push: the given pair, or the checkout's own (generated once).
  const vapid = given.VAPID_PUBLIC_KEY && given.VAPID_PRIVATE_KEY ? {} : devVapidKeys(dataDir);
  const vars: Record<string, string> = {
    APP_ENV: "development",
    ...secrets,
    ...vapid,
    ...given,
    DATABASE_URL: databaseUrl,
    PARTY_HOST: `127.0.0.1:${ports.party}`,
    // Where a room pokes the push sender after a batch wrote alerts (party/push-nudge.ts, ADR 014).
    PUSH_DRAIN_URL: `http://127.0.0.1:${ports.web}/__push/drain`,
    ...(useProxy ? { NEON_WS_PROXY: `127.0.0.1:${ports.wsProxy}/v1` } : {}),
    // PGlite runs one statement at a time: one connection per request and per room (ADR 011).
    // ... and one backend shared by all connections: no protocol-named statements; the batch's is
    // prepared inside the backend instead (db/db.ts, ADR 047).
    // ... and connections wait their turn at the proxy (up to its 30 s queue) rather than give up at 5 s.
    // ... and a feed consumer's page holds that backend: pages sized to about 100 ms (db/consumers/page-size.ts).
    ...(embedded ? { DB_POOL_MAX: "1", DB_NAMED_STATEMENTS: "server", DB_CONNECT_TIMEOUT_MS: "30000", FEED_PAGE_MS: "100" } : {}),
  };

  recordSecrets(vars);
  const parent = { BAZAAR_PARENT_PID: String(process.pid) };
  // `exec` so that the PID concurrently holds is the program itself, not a waiting shell.
  const tsNode = (script: string) => `exec ${cmd(process.execPath, "--import", "tsx", path.join("scripts", script))}`;
  const backing: RunSpec[] = [];
  const pgliteDir = path.resolve(repoRoot, options.pgliteDir ?? path.join(dataDir, "pglite"));
  if (embedded) {
    backing.push({
      name: "db",
      command: tsNode("pglite-server.ts"),
      env: {
        ...parent,
        PGLITE_PORT: String(ports.pglite),
        PGLITE_DIR: pgliteDir,
        ...(options.demoWorld ? { NPC_SECRET: vars.SESSION_SECRET!, ...(options.demoWorld.markets ? { DEMO_WORLD_MARKETS: options.demoWorld.markets.join(",") } : {}) } : {}),
      },
    });
  }
  if (useProxy) {
    // Embedded: at most EMBEDDED_MAX_CONNECTIONS database connections at once; more requests wait their turn.
    const cap: Record<string, string> = embedded ? { WS_PROXY_MAX_UPSTREAM: String(EMBEDDED_MAX_CONNECTIONS) } : {};
    backing.push({ name: "proxy", command: tsNode("ws-proxy.ts"), env: { ...parent, WS_PROXY_PORT: String(ports.wsProxy), WS_PROXY_ALLOW: dbAddress, ...cap } });
  }
  const servers: RunSpec[] = [
    {
      name: "web",
      command: `exec ${cmd(bin("wrangler"), "dev", "--ip", "127.0.0.1", "--port", String(ports.web), "--inspector-port", String(inspectorPort(ports.web)), "--show-interactive-dev-session=false", "--test-scheduled", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]))}`,
      env: { ...tool, ...parent },
    },
    {
      name: "party",
      command: `exec ${cmd(bin("partykit"), "dev", "--port", String(ports.party), "--no-hotkeys", "--disable-request-cf-fetch", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}=${v}`]))}`,
      env: { ...tool, ...parent },
    },
  ];

  // Every child ever started, so that stop() (or a signal) can reach it whatever the phase.
  const all: Command[] = [];
  let stopping: Promise<void> | undefined;
  let resolveStopped!: (reason: string) => void;
  const stopped = new Promise<string>((r) => (resolveStopped = r));
  const exitedEarly = new Map<string, string>();
  // Servers killed at start to be started once more (see answerOrRestart): their exit is not a failure.
  const restarting = new Set<Command>();
  const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const onSignal = (signal: NodeJS.Signals) => void stop(signal);
  const stop = (reason = "stop requested") =>
    (stopping ??= (async () => {
      say(`stopping (${reason})`);
      clearInterval(logCap);
      supervised?.stop();
      await stopCommands(all);
      if (options.handleSignals) for (const s of SIGNALS) process.off(s, onSignal);
      say("all stopped");
      resolveStopped(reason);
    })());
  if (options.handleSignals) for (const s of SIGNALS) process.on(s, onSignal);

  // Until the stack is ready a child that exits fails the start; after that the supervisor restarts it.
  let supervised: Supervised | undefined;
  const launch = (specs: RunSpec[], critical: boolean) => {
    if (specs.length === 0) return;
    const { commands } = runGroup(specs, output);
    all.push(...commands);
    for (const command of commands) {
      command.close.subscribe((event) => {
        if (restarting.delete(command)) return; // answerOrRestartOnce starts it again
        if (stopping || !critical || supervised) return;
        const why = `${command.name} exited (${event.exitCode})`;
        exitedEarly.set(command.name, why);
        void stop(why);
      });
    }
  };
  const alive = (name: string) => () => exitedEarly.get(name) ?? (stopping ? "stopping" : undefined);
  const answerOrRestart = (name: string, probeUrl: string, timeoutMs: number) =>
    answerOrRestartOnce(all.find((c) => c.name === name)!, (ms) => waitForHttp(probeUrl, ms, alive(name)), timeoutMs, {
      say,
      restarting,
      mayRestart: () => !exitedEarly.has(name) && !stopping,
    });
  const url = `http://127.0.0.1:${ports.web}`;
  const partyUrl = `http://127.0.0.1:${ports.party}`;

  try {
    // The database (PGlite initdb/migrate/seed) starts while the worker builds.
    launch(backing, true);
    const backingReady = Promise.all([
      embedded ? waitForTcp(ports.pglite, "127.0.0.1", timeouts.db, alive("db")).then(() => say(`db ready: ${databaseUrl}`)) : undefined,
      useProxy ? waitForTcp(ports.wsProxy, "127.0.0.1", timeouts.proxy, alive("proxy")).then(() => say(`proxy ready: ws://127.0.0.1:${ports.wsProxy}/v1 -> ${dbAddress}`)) : undefined,
    ]);
    backingReady.catch(() => undefined);

    const why = options.build === "always" ? "requested" : options.build === "never" ? undefined : buildNeeded();
    if (why) {
      say(`building the worker (${why})`);
      const tb = performance.now();
      const { commands, result } = runGroup([{ name: "build", command: "exec npm run build --silent" }], output);
      all.push(...commands);
      await result.catch(() => {
        throw new Error(stopping ? "stopped during the build" : "the build failed (npm run build)");
      });
      say(`built in ${((performance.now() - tb) / 1000).toFixed(1)} s`);
    }
    if (stopping) throw new Error("stopped while starting");

    launch(servers, true);
    await Promise.all([
      backingReady,
      // The worker's pages read the database: its clock starts once the database listens.
      backingReady.then(() => answerOrRestart("web", `${url}/`, timeouts.web)).then(() => say(`web ready: ${url}`)),
      answerOrRestart("party", `${partyUrl}/`, timeouts.party).then(() => say(`party ready: ${partyUrl}`)),
    ]);
    // Ready means the worker says so: the database answers with every migration, the rooms answer.
    await waitForReady(`${url}/api/v1/readyz`, timeouts.web, alive("web"), say);
    if (options.demoWorld) {
      // The live NPC traders: API clients like any player; restarted on exit, never a reason to stop.
      launch([{
        name: "npc",
        command: `exec ${cmd(process.execPath, "--import", "tsx", path.join("npc", "run.ts"))}`,
        env: { ...parent, BAZAAR_URL: url, NPC_SECRET: vars.SESSION_SECRET!, NPC_STEP_MS: String(options.demoWorld.stepMs ?? 1_500) },
      }], false);
    }
  } catch (error) {
    await stop(`not ready: ${(error as Error).message}`);
    throw new Error(`the stack did not start: ${(error as Error).message}\n  its last lines:\n${output.lines().map((l) => `    ${l}`).join("\n")}`);
  }
  say(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const answers = (target: string) => async () => {
    const res = await fetch(target, { signal: AbortSignal.timeout(3_000), redirect: "manual" });
    await res.arrayBuffer().catch(() => undefined);
    return res.status < 500;
  };
  const children = all.filter((c) => c.name !== "build");
  supervised = supervise(children, {
    say,
    kill: (pid) => killGroup(pid, "SIGKILL"),
    probes: {
      // Database-free, so a down database never makes the worker look dead, and cheap: it runs every
      // second beside every page load (the OpenAPI document it used to fetch cost the worker 9-21 ms).
      web: answers(`${url}/api/v1/livez`),
      party: answers(`${partyUrl}/`),
      db: () => canConnect(ports.pglite),
      proxy: () => canConnect(ports.wsProxy),
    },
    graceMs: { web: 60_000, party: 60_000, db: 60_000, proxy: 10_000 },
    // A killed db leaves its lock (its PID) behind: it is stale, whatever process has that PID now.
    beforeRestart: (name, exitedPid) => {
      if (name === "db" && exitedPid) clearStaleLock(`${pgliteDir}.lock`, exitedPid, say);
    },
  });
  const pids = () => Object.fromEntries(children.flatMap((c) => (typeof c.pid === "number" ? [[c.name, c.pid]] : [])));
  return { url, partyUrl, databaseUrl, ports, vars, stopped, stop, pids, restarts: () => supervised?.restarts() ?? {} };
}

/**
 * Start phase: waits for a server to answer; one that is alive but silent after half its time is
 * killed and started once more, with its whole time again (its launcher ignores the exits of the
 * commands in `restarting`). Seen once under CI load: partykit dev kept running while its port answered
 * nothing for 60 s; a fresh start answers in seconds.
 */
export async function answerOrRestartOnce<T>(
  command: Command,
  answered: (timeoutMs: number) => Promise<T>,
  timeoutMs: number,
  options: { say: (line: string) => void; restarting: Set<Command>; mayRestart: () => boolean },
): Promise<T> {
  try {
    return await answered(Math.round(timeoutMs / 2));
  } catch (error) {
    if (!options.mayRestart() || typeof command.pid !== "number") throw error;
    options.say(`${command.name} is running but ${(error as Error).message}; killing it and starting it once more`);
    options.restarting.add(command);
    const closed = command.close.subscribe(() => {
      closed.unsubscribe();
      if (options.mayRestart()) command.start();
    });
    killGroup(command.pid, "SIGKILL");
    return answered(timeoutMs);
  }
}

/**
 * wrangler dev's devtools port, one per stack (its default, 9229, is shared by every wrangler on the
 * machine: two stacks, or one stopping while the next starts, failed with "Address already in use").
 */
export const inspectorPort = (webPort: number) => (webPort + 10_000 <= 65_535 ? webPort + 10_000 : webPort - 10_000);

/** Removes a PGlite lock file left by process `exitedPid` (seen to exit); any other owner's lock stays. */
export function clearStaleLock(lockFile: string, exitedPid: number, say: (line: string) => void = () => {}): boolean {
  let owner: number;
  try {
    owner = Number(readFileSync(lockFile, "utf8").trim());
  } catch {
    return false;
  }
  if (owner !== exitedPid) return false;
  rmSync(lockFile, { force: true });
  say(`removed the stale lock ${path.relative(repoRoot, lockFile) || lockFile} (process ${exitedPid} is gone)`);
  return true;
}

/**
 * SIGTERM to the NPC traders, then web and party (they hold database connections), then the proxy, then the db
 * (PGlite closes its directory on SIGTERM); each group gets a grace period, then SIGKILL.
 */
export async function stopCommands(commands: Command[]): Promise<void> {
  const order = ["npc", "web", "party", "proxy", "db"];
  const byName = (name: string) => commands.filter((c) => c.name === name);
  const stage = async (group: Command[], graceMs: number) => {
    const pids = group.map((c) => c.pid).filter((p): p is number => typeof p === "number");
    for (const c of group) if (c.pid && groupAlive(c.pid)) c.kill("SIGTERM");
    const deadline = Date.now() + graceMs;
    while (pids.some(groupAlive) && Date.now() < deadline) await sleep(50);
    for (const pid of pids) if (groupAlive(pid)) killGroup(pid, "SIGKILL");
    while (pids.some(groupAlive)) await sleep(20);
  };
  await stage(byName("npc"), 5_000);
  await stage([...byName("web"), ...byName("party")], 10_000);
  await stage(byName("proxy"), 5_000);
  await stage(byName("db"), 30_000);
  const rest = commands.filter((c) => !order.includes(c.name));
  if (rest.length) await stage(rest, 10_000);
}
