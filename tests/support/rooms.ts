/**
 * Rooms on their own, for fault tests and the market bench: the Node ws proxy (in process) and
 * `partykit dev` in its own process group, so a crash can be simulated with SIGKILL to the group.
 */
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
  /** Kill the whole partykit process group with a signal (SIGKILL = crash). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export async function startRooms(opts: { databaseUrl: string; port: number; proxyPort: number; secret?: string; log?: string; proxyProcess?: boolean }): Promise<Rooms> {
  const secret = opts.secret ?? "test-room-secret-".padEnd(48, "x");
  // The proxy runs in this process for tests; benches give it a process of its own.
  const proxy: Pick<WsProxy, "port" | "close"> = opts.proxyProcess ? await proxyProcess(opts.proxyPort, addressOf(opts.databaseUrl)) : await startWsProxy({ port: opts.proxyPort, allow: [addressOf(opts.databaseUrl)] });
  const dataDir = path.join(repoRoot, ".data");
  const tool = quietToolEnv(dataDir);
  mkdirSync(path.join(dataDir, "logs"), { recursive: true });
  const logFd = openSync(opts.log ?? path.join(dataDir, "logs", `rooms-${opts.port}.log`), "a");
  let child: ChildProcess | undefined;
  const vars = { DATABASE_URL: opts.databaseUrl, NEON_WS_PROXY: `127.0.0.1:${proxy.port}/v1`, ROOM_SECRET: secret };

  if (await canConnect(opts.port)) throw new Error(`port ${opts.port} is already in use: stop whatever listens there`);
  const rooms: Rooms = {
    partyUrl: `http://127.0.0.1:${opts.port}`,
    host: `127.0.0.1:${opts.port}`,
    secret,
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

async function proxyProcess(port: number, allow: string): Promise<Pick<WsProxy, "port" | "close">> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts", "ws-proxy.ts"), "--port", String(port), "--allow", allow], { cwd: repoRoot, stdio: "ignore" });
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
