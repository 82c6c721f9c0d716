/**
 * WebSocket-to-TCP proxy for the Neon serverless driver against a local Postgres.
 *
 *   ws://127.0.0.1:$WS_PROXY_PORT/v1?address=host:port   (neonConfig.wsProxy = "127.0.0.1:8789/v1")
 *
 * Only the allow-listed host:port pairs are reachable: anything else is refused (HTTP 403 during
 * the upgrade, nothing is dialled). Bytes are piped unchanged both ways; when either side ends,
 * the other is closed.
 *
 * maxUpstream bounds the database connections open at once: a WebSocket beyond it is accepted and
 * its bytes held until a connection closes (in arrival order), or closed with 1013 after
 * queueTimeoutMs. For the embedded PGlite, where every statement runs on one backend anyway, this
 * keeps connections bounded however many requests arrive (ADR 011).
 *
 * CLI: tsx scripts/ws-proxy.ts [--port 8789] [--allow host:port[,host:port...]] [--max-upstream N]
 *      defaults: WS_PROXY_PORT or 8789; WS_PROXY_ALLOW, else DATABASE_URL's host:port;
 *      WS_PROXY_MAX_UPSTREAM or 0 (no limit); WS_PROXY_TIMING_FILE: the round trips' time beyond
 *      the proxy, every 5 s (scripts/ws-proxy-timing.ts).
 */
import type { IncomingMessage } from "node:http";
import { createServer } from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { WebSocketServer, type WebSocket } from "ws";
import { watchParent } from "./proc";
import { RoundTripLog } from "./ws-proxy-timing";

export interface WsProxyOptions {
  /** 0 picks a free port. */
  port: number;
  /** "host:port" entries; an address must match one exactly (localhost/127.0.0.1 are treated alike). */
  allow: string[];
  host?: string;
  /** Called with one line per connection event; default: silent. */
  log?: (line: string) => void;
  /** Most database connections open at once (0 = no limit). */
  maxUpstream?: number;
  /** How long a WebSocket may wait for a database connection (default 30 s). */
  queueTimeoutMs?: number;
  /** Appends the round trips' times beyond the proxy to this file every 5 s (scripts/ws-proxy-timing.ts). */
  timingFile?: string;
}

export interface WsProxy {
  port: number;
  /** Database connections open now, and WebSockets waiting for one. */
  stats(): { upstream: number; waiting: number };
  close(): Promise<void>;
}

const normalize = (address: string) => address.trim().toLowerCase().replace(/^localhost:/, "127.0.0.1:").replace(/^\[::1\]:/, "127.0.0.1:");

function parseAddress(address: string): { host: string; port: number } | undefined {
  const m = /^(.+):(\d{1,5})$/.exec(address);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (!(port > 0 && port < 65536)) return undefined;
  return { host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port };
}

export async function startWsProxy(options: WsProxyOptions): Promise<WsProxy> {
  const allowed = new Set(options.allow.map(normalize));
  const log = options.log ?? (() => {});
  const sockets = new Set<net.Socket>();
  const maxUpstream = options.maxUpstream ?? 0;
  const waiting: Array<() => void> = [];
  /** Runs dial now, or when a database connection closes. */
  const whenFree = (dial: () => void) => (maxUpstream > 0 && sockets.size >= maxUpstream ? waiting.push(dial) : dial());
  const freed = () => {
    while (waiting.length > 0 && (maxUpstream === 0 || sockets.size < maxUpstream)) waiting.shift()!();
  };

  const http = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket upgrade required (GET /v1?address=host:port)\n");
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  http.on("upgrade", (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const address = url.searchParams.get("address") ?? "";
    const target = parseAddress(address);
    if (url.pathname !== "/v1" || !target || !allowed.has(normalize(address))) {
      log(`refused ${JSON.stringify(address)} (${url.pathname})`);
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => pipe(ws, target));
  });

  const timing = options.timingFile ? new RoundTripLog(options.timingFile) : undefined;

  function pipe(ws: WebSocket, target: { host: string; port: number }) {
    const clock = timing?.pipe();
    const pending: Buffer[] = [];
    let tcp: net.Socket | undefined;
    let connected = false;
    let gone = false;
    ws.on("message", (data) => {
      const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      clock?.sent();
      if (connected) tcp!.write(chunk);
      else pending.push(chunk);
    });
    const closeWs = () => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
    };
    const dial = () => {
      clearTimeout(timer);
      if (gone) return freed();
      const socket = net.connect({ host: target.host, port: target.port });
      tcp = socket;
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on("connect", () => {
        connected = true;
        for (const chunk of pending.splice(0)) socket.write(chunk);
      });
      socket.on("data", (chunk) => {
        clock?.answered();
        if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
      });
      socket.on("end", closeWs);
      socket.on("close", () => {
        sockets.delete(socket);
        closeWs();
        freed();
      });
      socket.on("error", (error) => {
        log(`tcp ${target.host}:${target.port}: ${error.message}`);
        if (ws.readyState === ws.OPEN) ws.close(1011, "upstream error");
      });
    };
    const timer = setTimeout(() => {
      if (tcp || gone) return;
      gone = true;
      log(`no database connection free within ${options.queueTimeoutMs ?? 30_000} ms`);
      if (ws.readyState === ws.OPEN) ws.close(1013, "database busy, try again");
    }, options.queueTimeoutMs ?? 30_000);
    timer.unref();
    ws.on("close", () => {
      gone = true;
      clock?.closed();
      clearTimeout(timer);
      tcp?.end();
    });
    ws.on("error", () => {
      gone = true;
      tcp?.destroy();
    });
    whenFree(dial);
  }

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, options.host ?? "127.0.0.1", () => {
      http.off("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    stats: () => ({ upstream: sockets.size, waiting: waiting.length }),
    async close() {
      timing?.stop();
      for (const ws of wss.clients) ws.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** host:port of a postgres:// URL (default port 5432). */
export function addressOf(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return `${u.hostname}:${u.port || "5432"}`;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(argValue("--port") ?? process.env.WS_PROXY_PORT ?? 8789);
  const allowArg = argValue("--allow") ?? process.env.WS_PROXY_ALLOW ?? (process.env.DATABASE_URL ? addressOf(process.env.DATABASE_URL) : "");
  const allow = allowArg.split(",").map((s) => s.trim()).filter(Boolean);
  if (allow.length === 0) {
    console.error("ws-proxy: nothing to allow: pass --allow host:port or set WS_PROXY_ALLOW / DATABASE_URL");
    process.exit(2);
  }
  const maxUpstream = Number(argValue("--max-upstream") ?? process.env.WS_PROXY_MAX_UPSTREAM ?? 0);
  const timingFile = process.env.WS_PROXY_TIMING_FILE || undefined;
  const proxy = await startWsProxy({ port, allow, maxUpstream, timingFile, log: (line) => console.log(line) });
  console.log(`ws proxy on ws://127.0.0.1:${proxy.port}/v1 -> ${allow.join(", ")}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await proxy.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.on("SIGHUP", stop);
  watchParent(stop);
}
