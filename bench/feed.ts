/**
 * `npm run bench:feed`: the event feed's read throughput (issue 17, ADR 017). A scratch database
 * (bazaar_bench_feed on DATABASE_URL's server) gets BENCH_FEED_EVENTS events (default 200,000)
 * written by BENCH_FEED_TX transactions (default 2,000: a realistic spread of transaction ids);
 * then a reader pages the whole feed from the start, as a game server catching up would:
 *   - readFeed (db/feed/read.ts) on a node-postgres connection: the query's own cost;
 *   - the signed API route GET /api/v1/server/events through the router in this process (HMAC
 *     check, nonce insert, JSON), with the typed client: what a game server gets, minus the network.
 * Page sizes BENCH_FEED_LIMITS (default 200,1000), all events and a selective type filter, each run
 * BENCH_FEED_RUNS times (default 3; the median run is printed). Prints events/s, pages, and the
 * p50/p99 page time, then the CPU model and load average.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { sql } from "drizzle-orm";
import pg from "pg";
import { gameServerClient } from "../clients/game-server";
import { rows } from "../db/db";
import { createServer } from "../db/game-servers";
import { decodeCursor } from "../db/feed/cursor";
import { readFeed } from "../db/feed/read";
import { migrate } from "../db/migrate";
import { openPostgres } from "../db/open";
import { allApiRoutes } from "../edge/api/index.server";
import { dispatch } from "../edge/api/router.server";
import { getEnv } from "../edge/env.server";
import { cpuModel } from "./lib/host";

const EVENTS = Number(process.env.BENCH_FEED_EVENTS ?? 200_000);
const TXS = Number(process.env.BENCH_FEED_TX ?? 2_000);
const LIMITS = (process.env.BENCH_FEED_LIMITS ?? "200,1000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_FEED_RUNS ?? 3);
const base = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");
const q = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : Number.NaN);

async function scratch(): Promise<string> {
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query("drop database if exists bazaar_bench_feed with (force)");
  await admin.query("create database bazaar_bench_feed");
  await admin.end();
  const url = new URL(base);
  url.pathname = "/bazaar_bench_feed";
  return url.toString();
}

/** Events shaped like the log's: mostly market batches' orders, some mints, transfers and offers. */
async function fill(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const per = Math.ceil(EVENTS / TXS);
  const started = performance.now();
  for (let t = 0; t < TXS; t++) {
    await client.query(`
      insert into events (stream, version, type, payload, actor, correlation_id)
      select 'market:bench-' || $1::int, g,
        (array['order_placed','order_placed','order_placed','order_placed','order_placed','order_placed','minted','item_transferred','order_canceled','offer_accepted'])[1 + g % 10],
        jsonb_build_object('market', 'bench-ore', 'orderId', gen_random_uuid(), 'playerId', gen_random_uuid(), 'fills', jsonb_build_array(g, g + 1),
          'canceled', '[]'::jsonb, 'postings', jsonb_build_array(jsonb_build_object('player', gen_random_uuid(), 'asset', 0, 'available', -1270 * g, 'reserved', 1270 * g))),
        'room:bench-ore', gen_random_uuid()
      from generate_series(1, $2::int) g`, [t, Math.min(per, EVENTS - t * per)]);
  }
  await client.query("analyze events");
  await client.end();
  return (performance.now() - started) / 1000;
}

interface Result { reader: string; limit: number; filter: string; events: number; pages: number; seconds: number; p50: number; p99: number }

/** Pages from the start until a page is not full; `page` returns how many events it scanned and the next cursor. */
async function catchUp(page: (after: string | undefined) => Promise<{ count: number; cursor: string; more: boolean }>): Promise<Omit<Result, "reader" | "limit" | "filter">> {
  const times: number[] = [];
  let after: string | undefined;
  let events = 0;
  const started = performance.now();
  for (;;) {
    const t0 = performance.now();
    const p = await page(after);
    times.push(performance.now() - t0);
    events += p.count;
    after = p.cursor;
    if (!p.more) break;
  }
  return { events, pages: times.length, seconds: (performance.now() - started) / 1000, p50: q(times, 0.5), p99: q(times, 0.99) };
}

async function main() {
  const url = await scratch();
  const opened = await openPostgres(url, 4);
  await migrate(opened);
  console.log(`filling ${EVENTS} events in ${TXS} transactions...`);
  const fillSeconds = await fill(url);
  const [size] = await rows<{ n: number; size: string }>(opened.db, sql`select count(*)::int as n, pg_size_pretty(pg_total_relation_size('events')) as size from events`);
  console.log(`filled in ${fillSeconds.toFixed(1)} s: ${size!.n} events, events table ${size!.size}`);

  const secret = randomBytes(32).toString("hex");
  const made = await createServer(opened.db, secret, { name: "bench-feed", scopes: ["events:read"], mintLimits: {}, createdBy: "bench" });
  if (!made.ok) throw new Error(made.message);
  const env = getEnv({ DATABASE_URL: url, SESSION_SECRET: secret, ROOM_SECRET: secret, APP_ENV: "test" });
  const inProcess: typeof fetch = (input, init) => dispatch(allApiRoutes, new Request(input as RequestInfo, init), {
    env, ctx: { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext, requestId: crypto.randomUUID(), cspNonce: "", db: opened.db,
  });
  const client = gameServerClient({ baseUrl: "http://bench.local", keyId: made.keyId, secret: made.secret, fetch: inProcess });

  const load0 = os.loadavg();
  const results: Result[] = [];
  for (const limit of LIMITS) {
    for (const filter of ["all", "minted"]) {
      const types = filter === "all" ? undefined : [filter];
      const readers: Array<[string, (after: string | undefined) => Promise<{ count: number; cursor: string; more: boolean }>]> = [
        ["readFeed (pg)", async (after) => {
          const p = await readFeed(opened.db, { after: after ? decodeCursor(after) : undefined, limit, types });
          return { count: p.events.length, cursor: p.cursor, more: p.more };
        }],
        ["signed API, in-process", async (after) => {
          const { data, error } = await client.GET("/api/v1/server/events", { params: { query: { ...(after ? { after } : {}), limit, ...(types ? { types: types.join(",") } : {}) } } });
          if (!data) throw new Error(`feed: ${JSON.stringify(error)}`);
          return { count: data.events.length, cursor: data.cursor, more: data.more };
        }],
      ];
      for (const [reader, page] of readers) {
        const runs: Array<Omit<Result, "reader" | "limit" | "filter">> = [];
        for (let r = 0; r < RUNS; r++) runs.push(await catchUp(page));
        const median = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
        results.push({ reader, limit, filter, ...median });
        console.log(`  ${reader}, limit ${limit}, ${filter}: ${Math.round(size!.n / median.seconds)} events/s scanned, ${median.events} delivered`);
      }
    }
  }
  const load1 = os.loadavg();
  await opened.close();

  const cpu = cpuModel();
  console.log(`\nFeed read throughput: ${size!.n} events from the start of the log, median of ${RUNS} runs\n`);
  console.log("| reader | page limit | types | events delivered | pages | events/s (scanned) | page p50 ms | page p99 ms |");
  console.log("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    // The feed scans every event (a filter skips, the cursor still moves): throughput counts scanned events.
    console.log(`| ${r.reader} | ${r.limit} | ${r.filter} | ${r.events} | ${r.pages} | ${Math.round(size!.n / r.seconds)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`);
  }
  console.log(`\nCPU: ${cpu} x ${os.cpus().length}; load average (1/5/15 min) at start ${load0.map((l) => l.toFixed(2)).join(" ")}, at end ${load1.map((l) => l.toFixed(2)).join(" ")}`);
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query("drop database if exists bazaar_bench_feed with (force)");
  await admin.end();
}

await main();
