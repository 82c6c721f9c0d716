/**
 * `npm run bench:server`: game-server API mints per second through the built worker (wrangler dev)
 * on the real Postgres, every request signed (HMAC, nonce recorded) and carrying a fresh
 * Idempotency-Key (key row, action and answer in one transaction). Closed loop: C clients each send
 * their next request when the previous answer arrives, for BENCH_STEP_SECONDS (default 10) per row.
 * Baselines first (an unsigned GET /api/v1/healthz: one round trip; a signed GET /server/me: key
 * lookup, nonce insert, one select), then the workloads: a single stack grant (one item line), a single currency mint, and a batch of 40 grants
 * (a raid's loot: 40 players, currency + items each line). Mints to random players among 400.
 * Every workload runs twice: through wrangler dev (the built worker, Neon driver, ws proxy), then
 * through the same router in this Node process on a node-postgres pool (the API's own cost).
 * Env: DATABASE_URL (a server; scratch database bazaar_bench_server is created there),
 * BENCH_CONCURRENCY (default 1,8,32), BENCH_WEB_PORT / BENCH_PARTY_PORT / BENCH_PROXY_PORT.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import pg from "pg";
import { gameServerClient, newIdempotencyKey } from "../clients/game-server";
import { checkLedger } from "../db/audit/check";
import { createServer } from "../db/game-servers";
import { migrate } from "../db/migrate";
import { openPostgres } from "../db/open";
import { startStack } from "../scripts/stack";
import { allApiRoutes } from "../edge/api/index.server";
import { dispatch } from "../edge/api/router.server";
import { getEnv } from "../edge/env.server";
import { addPlayer } from "../tests/support/world";
import { cpuModel } from "./lib/host";

const STEP_S = Number(process.env.BENCH_STEP_SECONDS ?? 10);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "1,8,32").split(",").map(Number);
const base = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");
const q = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : Number.NaN);

async function scratch(): Promise<string> {
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query("drop database if exists bazaar_bench_server with (force)");
  await admin.query("create database bazaar_bench_server");
  await admin.end();
  const url = new URL(base);
  url.pathname = "/bazaar_bench_server";
  return url.toString();
}

interface Row { path: string; workload: string; c: number; requests: number; mints: number; errors: number; seconds: number; p50: number; p99: number }

async function main() {
  const databaseUrl = await scratch();
  const db = await openPostgres(databaseUrl, 4);
  await migrate(db);
  const players: string[] = [];
  for (let i = 0; i < 400; i++) players.push(await addPlayer(db.db, `bench_${i}`));
  const secret = randomBytes(32).toString("hex");
  const made = await createServer(db.db, secret, { name: "bench", scopes: ["mint:currency", "mint:items", "catalog"], mintLimits: { currency: 1e15, items: 1e12 }, createdBy: "bench" });
  if (!made.ok) throw new Error(made.message);
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const stack = await startStack({
    databaseUrl,
    ports: { web: Number(process.env.BENCH_WEB_PORT ?? 23801), party: Number(process.env.BENCH_PARTY_PORT ?? 23802), wsProxy: Number(process.env.BENCH_PROXY_PORT ?? 23803) },
    env: { APP_ENV: "test", SESSION_SECRET: secret, ROOM_SECRET: randomBytes(32).toString("hex") },
    output: sink,
    timeouts: { web: 60_000, party: 60_000, build: 240_000 },
  });
  const load0 = os.loadavg();
  const rows: Row[] = [];
  try {
    const ore = "bench-ore";
    const stackClient = gameServerClient({ baseUrl: stack.url, keyId: made.keyId, secret: made.secret });
    const t = await stackClient.POST("/api/v1/server/item-types", { params: { header: { "Idempotency-Key": newIdempotencyKey() } }, body: { slug: ore, name: "Bench Ore", description: "For the bench.", category: "ores", icon: "o", stackable: true } });
    if (t.response.status !== 201) throw new Error(`item type: ${JSON.stringify(t.error)}`);
    // The same router in this Node process on a node-postgres pool (no workerd, Neon driver or ws proxy):
    // what the API's own work costs, apart from the local stack's transport.
    const pool = await openPostgres(databaseUrl, 40);
    const env = getEnv({ DATABASE_URL: databaseUrl, SESSION_SECRET: secret, ROOM_SECRET: secret, APP_ENV: "test" });
    const inProcess: typeof fetch = (input, init) => dispatch(allApiRoutes, new Request(input as RequestInfo, init), {
      env, ctx: { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext, requestId: crypto.randomUUID(), cspNonce: "", db: pool.db,
    });
    const paths: Array<[string, typeof fetch]> = [["wrangler dev", fetch], ["in-process", inProcess]];
    for (const [pathName, transport] of paths) {
      const client = gameServerClient({ baseUrl: stack.url, keyId: made.keyId, secret: made.secret, fetch: transport });
      let seed = 42;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const player = () => players[Math.floor(rand() * players.length)]!;
      const header = () => ({ header: { "Idempotency-Key": newIdempotencyKey("bench") } });
      const ok201 = (r: Response) => new Response(null, { status: r.ok ? 201 : r.status }); // baselines answer 200
      const workloads: Array<[string, number, () => Promise<{ response: Response }>]> = [
        // Baselines: one database round trip, unsigned; then a signed read (key lookup, nonce insert, one select).
        pathName === "in-process"
          ? ["baseline: select 1 (one round trip)", 0, async () => (await pool.db.execute(sql`select 1`), { response: new Response(null, { status: 201 }) })]
          : ["baseline: GET /healthz", 0, async () => ({ response: ok201(await transport(`${stack.url}/api/v1/healthz`).then(async (r) => (await r.arrayBuffer(), r))) })],
        ["baseline: signed GET /server/me", 0, async () => ({ response: ok201((await client.GET("/api/v1/server/me")).response) })],
        ["stack grant (1 item line)", 1, () => client.POST("/api/v1/server/items/grant", { params: header(), body: { playerId: player(), itemType: ore, quantity: 3 } })],
        ["currency mint", 1, () => client.POST("/api/v1/server/currency/mint", { params: header(), body: { playerId: player(), amount: 100 } })],
        ["batch of 40 grants", 40, () => {
          const start = Math.floor(rand() * (players.length - 40));
          const grants = players.slice(start, start + 40).map((p, i) => (i % 2 ? { kind: "currency" as const, playerId: p, amount: 250 } : { kind: "stack" as const, playerId: p, itemType: ore, quantity: 2 }));
          return client.POST("/api/v1/server/grants", { params: header(), body: { reason: "raid", grants } });
        }],
      ];
      // Warm up the worker, the pool and the JIT.
      for (let i = 0; i < 30; i++) await workloads[2]![2]();
      for (const [name, perRequest, send] of workloads) {
        for (const c of CONCURRENCY) {
          const latencies: number[] = [];
          const errorKinds = new Map<string, number>();
          let errors = 0;
          const t0 = performance.now();
          await Promise.all(Array.from({ length: c }, async () => {
            while (performance.now() - t0 < STEP_S * 1000) {
              const s = performance.now();
              const r = await send();
              if (r.response.status === 201) latencies.push(performance.now() - s);
              else {
                errors++;
                const body = (r as { error?: { error?: { code?: string } } }).error; // openapi-fetch has read the body already
                const code = body?.error?.code ?? "";
                errorKinds.set(`${r.response.status} ${code}`, (errorKinds.get(`${r.response.status} ${code}`) ?? 0) + 1);
              }
            }
          }));
          const seconds = (performance.now() - t0) / 1000;
          rows.push({ path: pathName, workload: name, c, requests: latencies.length, mints: latencies.length * perRequest, errors, seconds, p50: q(latencies, 0.5), p99: q(latencies, 0.99) });
          const r = rows.at(-1)!;
          console.error(`${pathName} ${name} c=${c}: ${(r.requests / seconds).toFixed(0)} req/s, ${(r.mints / seconds).toFixed(0)} mints/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${errors}${errors ? ` (${[...errorKinds].map(([k, n]) => `${n}x ${k}`).join(", ")})` : ""}`);
        }
      }
    }
    await pool.close();
    const report = await checkLedger(db.db);
    const cpu = cpuModel();
    console.log(`\nbench:server, ${STEP_S} s per row, closed loop, through wrangler dev (workerd) + Neon driver + ws proxy -> Postgres at ${base.host}`);
    console.log(`CPU: ${cpu} x ${os.cpus().length}; load average (1/5/15 min) at start ${load0.map((l) => l.toFixed(2)).join(" ")}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
    console.log("| path | workload | clients | requests/s | mints/s | p50 ms | p99 ms | errors |");
    console.log("|---|---|---|---|---|---|---|---|");
    for (const r of rows) {
      console.log(`| ${r.path} | ${r.workload} | ${r.c} | ${(r.requests / r.seconds).toFixed(0)} | ${(r.mints / r.seconds).toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`);
    }
    console.log(`\ncheck:ledger after the run: ${report.ok ? "OK" : `FAIL ${report.problems.join("; ")}`}`);
  } finally {
    await stack.stop("bench done");
    await db.close();
  }
}

await main();
