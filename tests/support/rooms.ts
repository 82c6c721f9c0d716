/**
 * Rooms on their own, for fault tests and the market bench: the Node ws proxy (in process) and
 * `partykit dev` in its own process group, so a crash can be simulated with SIGKILL to the group.
 */
import { recordSecrets } from "../../scripts/logs/secrets-ledger";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { canConnect, sleep } from "../../scripts/proc";
import { repoRoot } from "../../scripts/paths";
import { quietToolEnv } from "../../scripts/stack";
import { addressOf, startWsProxy, type WsProxy } from "../../scripts/ws-proxy";

export interface Rooms {
  partyUrl: string;
  host: string;
  secret: string;
  /** Start (or restart) partykit dev; resolves when it answers. */
  start(): Promise<void>;
  /** partykit dev's pid (its process group holds workerd), while running. */
  pid(): number | undefined;
  /** Kill the whole partykit process group with a signal (SIGKILL = crash). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export async function startRooms(opts: { databaseUrl: string; port: number; proxyPort: number; secret?: string; log?: string; proxyProcess?: boolean; /** the proxy's cap on Postgres connections (0: none) */ maxUpstream?: number; /** extra room variables (DB_POOL_MAX...) */ vars?: Record<string, string> }): Promise<Rooms> {
  const secret = opts.secret ?? "test-room-secret-".padEnd(48, "x");
  // The proxy runs in this process for tests; benches give it a process of its own.
  const proxy: Pick<WsProxy, "port" | "close"> = opts.proxyProcess ? await proxyProcess(opts.proxyPort, addressOf(opts.databaseUrl), opts.maxUpstream ?? 0) : await startWsProxy({ port: opts.proxyPort, allow: [addressOf(opts.databaseUrl)], ...(opts.maxUpstream ? { maxUpstream: opts.maxUpstream } : {}) });
  const dataDir = path.join(repoRoot, ".data");
  const tool = quietToolEnv(dataDir);
  mkdirSync(path.join(dataDir, "logs"), { recursive: true });
  const logFd = openSync(opts.log ?? path.join(dataDir, "logs", `rooms-${opts.port}.log`), "a");
  let child: ChildProcess | undefined;
  const vars = { DATABASE_URL: opts.databaseUrl, NEON_WS_PROXY: `127.0.0.1:${proxy.port}/v1`, ROOM_SECRET: secret, ...opts.vars };
  recordSecrets(vars);

  if (await canConnect(opts.port)) throw new Error(`port ${opts.port} is already in use: stop whatever listens there`);
  const rooms: Rooms = {
    partyUrl: `http://127.0.0.1:${opts.port}`,
    host: `127.0.0.1:${opts.port}`,
    secret,
    pid: () => child?.pid,
    async start() {
      const args = ["dev", "--port", String(opts.port), "--no-hotkeys", "--disable-request-cf-fetch", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}=${v}`])];
      child = spawn(path.join(repoRoot, "node_modules", ".bin", "partykit"), args, { cwd: repoRoot, env: { ...process.env, ...tool }, detached: true, stdio: ["ignore", logFd, logFd] });
      const deadline = Date.now() + 60_000;
      while (!(await canConnect(opts.port))) {
        if (child.exitCode !== null) throw new Error(`partykit dev exited (${child.exitCode}); see .data/logs`);
        if (Date.now() > deadline) throw new Error("partykit dev did not start within 60 s");
        await sleep(100);
      }
    },
    async kill(signal = "SIGKILL") {
      const pid = child?.pid;
      if (!pid) return;
      const group = (sig: NodeJS.Signals) => {
        try {
          process.kill(-pid, sig);
        } catch {
          /* already gone */
        }
      };
      group(signal);
      // A graceful stop gets 3 s; then the whole group (workerd included) is killed.
      let deadline = Date.now() + (signal === "SIGKILL" ? 0 : 3_000);
      while (Date.now() < deadline && (await canConnect(opts.port))) await sleep(50);
      group("SIGKILL");
      deadline = Date.now() + 10_000;
      while ((await canConnect(opts.port)) && Date.now() < deadline) await sleep(50);
      if (await canConnect(opts.port)) throw new Error(`port ${opts.port} still in use after killing partykit dev`);
      child = undefined;
    },
    async stop() {
      await rooms.kill("SIGTERM");
      await proxy.close();
    },
  };
  await rooms.start();
  return rooms;
}

async function proxyProcess(port: number, allow: string, maxUpstream = 0): Promise<Pick<WsProxy, "port" | "close">> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts", "ws-proxy.ts"), "--port", String(port), "--allow", allow, "--max-upstream", String(maxUpstream)], { cwd: repoRoot, stdio: "ignore" });
  const deadline = Date.now() + 20_000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("ws proxy did not start");
    await sleep(50);
  }
  return {
    port,
    async close() {
      child.kill("SIGTERM");
      while (child.exitCode === null && child.signalCode === null) await sleep(20);
    },
  };
}

/**
 * A stand-in for the room object PartyKit 0.0.115 hands a server (node_modules/partykit/dist/
 * generated.js, createDurable): `id` throws while an alarm handler runs and, in an object that
 * no request has reached (woken by its alarm alone), for good; storage keeps keys and the one
 * alarm and outlives the server (an evicted or restarted object gets a new server, same storage).
 * For what `partykit dev` cannot show: it never evicts an idle room, and forgets alarms on restart.
 */
export class FakePartyStorage {
  readonly kv = new Map<string, unknown>();
  alarm: number | null = null;
  failSetAlarm = false;
  async get<T>(key: string): Promise<T | undefined> {
    return this.kv.get(key) as T | undefined;
  }
  async put(key: string, value: unknown): Promise<void> {
    this.kv.set(key, value);
  }
  async getAlarm(): Promise<number | null> {
    return this.alarm;
  }
  async setAlarm(at: number | Date): Promise<void> {
    if (this.failSetAlarm) throw new Error("storage refused setAlarm");
    this.alarm = typeof at === "number" ? at : at.getTime();
  }
  async deleteAlarm(): Promise<void> {
    this.alarm = null;
  }
}

export interface FakeParty {
  room: import("partykit/server").Room;
  storage: FakePartyStorage;
  /** As the platform fires the alarm: onStart first if nothing started the server, then onAlarm with `id` refused; the alarm is deleted after unless the handler set it again. */
  fireAlarm(server: import("partykit/server").Server): Promise<void>;
  /** As a request reaches the object: the first one sets the id (unless an alarm started the server first), onStart, then onRequest. */
  request(server: import("partykit/server").Server, init: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
}

export function fakePartyRoom(opts: { slug: string; env: Record<string, unknown>; storage?: FakePartyStorage }): FakeParty {
  const storage = opts.storage ?? new FakePartyStorage();
  let id: string | undefined;
  let inAlarm = false;
  let started = false;
  const room = {
    get id(): string {
      if (inAlarm) throw new Error("You can not access `Party.id` in the `onAlarm` handler.");
      if (id) return id;
      throw new Error("Party.id is not yet initialized. This is probably a bug in PartyKit.");
    },
    internalID: `fake-${opts.slug}`,
    name: "main",
    env: opts.env,
    storage,
    broadcast: () => {},
    getConnections: () => [].values(),
    getConnection: () => undefined,
  } as unknown as import("partykit/server").Room;
  return {
    room,
    storage,
    async fireAlarm(server) {
      if (!started) {
        started = true;
        await server.onStart?.();
      }
      const before = storage.alarm;
      inAlarm = true;
      try {
        await server.onAlarm?.();
      } finally {
        inAlarm = false;
      }
      if (storage.alarm === before) storage.alarm = null;
    },
    async request(server, init) {
      if (!started) {
        id = opts.slug;
        started = true;
        await server.onStart?.();
      }
      const request = new Request(`http://fake/parties/main/${opts.slug}`, {
        method: init.method ?? "GET",
        headers: init.headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      return server.onRequest!(request as unknown as import("partykit/server").Request);
    },
  };
}
