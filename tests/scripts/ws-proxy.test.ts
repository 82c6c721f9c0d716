/**
 * scripts/ws-proxy.ts: the Neon serverless driver -> proxy -> the real Postgres on
 * TEST_DATABASE_URL (default 127.0.0.1:5432; unreachable = failure, never a skip).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { neonConfig, Pool } from "@neondatabase/serverless";
import ws, { WebSocket } from "ws";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { fixSocketShim } from "../../db/neon";
import { addressOf, startWsProxy, type WsProxy } from "../../scripts/ws-proxy";

const databaseUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
let proxy: WsProxy;

beforeAll(async () => {
  proxy = await startWsProxy({ port: 0, allow: [addressOf(databaseUrl)] });
  neonConfig.webSocketConstructor = ws;
  neonConfig.wsProxy = (host, port) => `127.0.0.1:${proxy.port}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  neonConfig.coalesceWrites = false;
});
afterAll(() => proxy?.close());

describe("ws-proxy", () => {
  it("carries the Neon driver to a real Postgres and back", async () => {
    const pool = new Pool({ connectionString: databaseUrl, max: 4 });
    try {
      const { rows } = await pool.query("select version() as v, $1::bigint * 2 as x, repeat('z', 100000) as big", ["21000000000"]);
      expect(rows[0].v).toMatch(/^PostgreSQL \d+/);
      expect(rows[0].x).toBe("42000000000");
      expect(rows[0].big).toHaveLength(100_000);
      // Several connections at once, each with a transaction.
      const results = await Promise.all(
        Array.from({ length: 4 }, async (_, i) => {
          const client = await pool.connect();
          try {
            await client.query("begin");
            const r = await client.query("select $1::int as i, pg_backend_pid() as pid", [i]);
            await client.query("commit");
            return r.rows[0];
          } finally {
            client.release();
          }
        }),
      );
      expect(results.map((r) => r.i)).toEqual([0, 1, 2, 3]);
      expect(new Set(results.map((r) => r.pid)).size).toBeGreaterThan(1);
    } finally {
      await pool.end();
    }
  });

  it("refuses an address that is not allow-listed (nothing is dialled)", async () => {
    const status = await new Promise<number | string>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/v1?address=127.0.0.1:6379`);
      socket.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      socket.on("open", () => resolve("opened"));
      socket.on("error", (e) => resolve(e.message));
    });
    expect(status).toBe(403);
    const pool = new Pool({ connectionString: databaseUrl.replace(/@[^/]+\//, "@127.0.0.1:6379/") });
    await expect(pool.query("select 1")).rejects.toThrow();
    await pool.end().catch(() => {});
  });

  it("refuses a malformed address and other paths", async () => {
    for (const path of ["/v1?address=nonsense", "/v1", `/v2?address=${addressOf(databaseUrl)}`]) {
      const status = await new Promise<number | string>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}${path}`);
        socket.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        socket.on("open", () => resolve("opened"));
        socket.on("error", (e) => resolve(e.message));
      });
      expect(status, path).toBe(403);
    }
  });

  it("closes the WebSocket when Postgres ends the connection", async () => {
    const closed = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/v1?address=${addressOf(databaseUrl)}`);
      // A garbage startup packet makes Postgres answer with an error and hang up.
      socket.on("open", () => socket.send(Buffer.from([0, 0, 0, 8, 0, 0, 0, 0])));
      socket.on("close", (code) => resolve(code));
      socket.on("error", reject);
      setTimeout(() => reject(new Error("not closed within 5 s")), 5_000);
    });
    expect(closed).toBeGreaterThan(0);
  });

  it("bounds the database connections: more clients than maxUpstream wait their turn, and every ended pool closes its socket", async () => {
    const capped = await startWsProxy({ port: 0, allow: [addressOf(databaseUrl)], maxUpstream: 3 });
    const saved = neonConfig.wsProxy;
    neonConfig.wsProxy = (host, port) => `127.0.0.1:${capped.port}/v1?address=${host}:${port}`;
    fixSocketShim();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, capped.stats().upstream)), 2);
    try {
      // 12 pools of one connection each, like 12 requests at once; each ends its pool afterwards.
      const answers = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const pool = new Pool({ connectionString: databaseUrl, max: 1 });
          try {
            const { rows } = await pool.query("select $1::int as i, pg_sleep(0.05)", [i]);
            return rows[0].i as number;
          } finally {
            await pool.end();
          }
        }),
      );
      expect(answers).toEqual(Array.from({ length: 12 }, (_, i) => i));
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(3);
      // Ended pools closed their WebSockets, so the proxy closed every database connection.
      const deadline = Date.now() + 5_000;
      while (capped.stats().upstream > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(capped.stats()).toEqual({ upstream: 0, waiting: 0 });
    } finally {
      clearInterval(sampler);
      neonConfig.wsProxy = saved;
      await capped.close();
    }
  });

  // PGlite's start alone takes 10-20 s on a loaded 2-core machine (CI, 2026-12-04: 49 s in all).
  it("an ended Neon pool closes its WebSocket even when the server does not hang up on Terminate", { timeout: 120_000 }, async () => {
    // pglite-socket's own server (as the embedded default used it) keeps a connection after Terminate.
    const db = await PGlite.create();
    const upstream = new PGLiteSocketServer({ db, port: 0, maxConnections: 100 });
    await upstream.start();
    const address = upstream.getServerConn();
    const local = await startWsProxy({ port: 0, allow: [address] });
    const saved = neonConfig.wsProxy;
    neonConfig.wsProxy = (host, port) => `127.0.0.1:${local.port}/v1?address=${host}:${port}`;
    fixSocketShim();
    try {
      for (let i = 0; i < 5; i++) {
        const pool = new Pool({ connectionString: `postgres://postgres:postgres@${address}/postgres`, max: 1 });
        expect((await pool.query("select $1::int as i", [i])).rows[0].i).toBe(i);
        await pool.end();
      }
      const deadline = Date.now() + 5_000;
      while (local.stats().upstream > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(local.stats().upstream).toBe(0);
    } finally {
      neonConfig.wsProxy = saved;
      await local.close();
      await upstream.stop();
      await db.close();
    }
  });

  it("a connection whose WebSocket never opens (nor closes) is given up after connectionTimeoutMillis, and the pool recovers", async () => {
    // As the rooms' workerd did when the proxy was killed during a handshake: no open, no error, no close, and close() is ignored.
    class SilentSocket {
      binaryType = "arraybuffer";
      addEventListener() {}
      send() {}
      close() {}
    }
    fixSocketShim();
    const pool = new Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 300 });
    try {
      neonConfig.webSocketConstructor = SilentSocket as unknown as typeof ws;
      const outcome = await Promise.race([
        pool.query("select 1").then(() => "answered", (error: unknown) => `refused: ${String(error)}`),
        new Promise((r) => setTimeout(() => r("still waiting after 5 s"), 5_000)),
      ]);
      // Refused (by the 300 ms connection timeout), not still waiting when the 5 s race ends.
      expect(outcome).toMatch(/^refused: .*timeout/i);
      neonConfig.webSocketConstructor = ws;
      expect((await pool.query("select 2 as two")).rows[0].two).toBe(2);
    } finally {
      neonConfig.webSocketConstructor = ws;
      await pool.end();
    }
  });
});

describe("ws-proxy's round-trip log (WS_PROXY_TIMING_FILE)", () => {
  it("appends the time beyond the proxy and the frames per request of the round trips it carried", async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const dir = mkdtempSync(path.join(tmpdir(), "bazaar-proxy-timing-"));
    const file = path.join(dir, "timing.log");
    const timed = await startWsProxy({ port: 0, allow: [addressOf(databaseUrl)], timingFile: file });
    const wsProxy = neonConfig.wsProxy;
    neonConfig.wsProxy = (host, port) => `127.0.0.1:${timed.port}/v1?address=${host}:${port}`;
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    try {
      for (let i = 0; i < 20; i++) await pool.query("select pg_sleep(0.005), $1::int as i", [i]);
    } finally {
      await pool.end();
      neonConfig.wsProxy = wsProxy;
      await timed.close(); // writes what it holds
    }
    const line = readFileSync(file, "utf8").trim();
    rmSync(dir, { recursive: true, force: true });
    const m = /round trips=(\d+) beyond the proxy ms p50=([\d.]+) p90=[\d.]+ p99=[\d.]+ frames per request p50=(\d+)/.exec(line);
    expect(m, line).not.toBeNull();
    // 20 queries plus the connection's start-up exchanges; each query sleeps 5 ms in Postgres.
    expect(Number(m![1])).toBeGreaterThanOrEqual(20);
    expect(Number(m![2])).toBeGreaterThanOrEqual(5);
    // Uncoalesced writes: a query is several protocol messages, each its own frame.
    expect(Number(m![3])).toBeGreaterThan(1);
  });
});
