/**
 * `npm run bench:batch`: the room's batch path in Node, without the room, the WebSocket proxy or
 * the Neon driver: MarketSession (party/market/session.ts) on node-postgres against a scratch
 * database, fed batches of the bench:market mix of a fixed size back to back. It says what a batch
 * costs in CPU (planning, encoding, the driver) against Postgres's own time, so a workerd-charged
 * "write" phase can be split. Run it under `node --cpu-prof` to see the hot functions.
 * Env: DATABASE_URL (server; scratch database bazaar_bench_batch), BENCH_BATCH_SIZE (default 50),
 * BENCH_BATCHES (default 400), BENCH_LIMITS=1 (the item type gets trading limits no order reaches,
 * ADR 027: every batch reads and judges them; the table has a row per quarter of the run, so the
 * growing purchase history shows), DB_NAMED_STATEMENTS (as the rooms read it: on, server, off).
 * The "pg CPU ms" column is the session's backend's own CPU per batch (/proc/<pid>/stat, so only
 * against a Postgres on this machine, bench/lib/cpu.ts); "WAL KB" is the WAL Postgres wrote per batch.
 * BENCH_BATCH_PRELOAD=<n>: first, n settled orders and n events of a long-lived market's history,
 * their ids random (BENCH_BATCH_PRELOAD_IDS=random, as uuid v4) or time-ordered (`ordered`, as
 * UUIDv7, ADR 050), then a CHECKPOINT: the unique indexes outgrow shared_buffers, as a market's do.
 */
import pg from "pg";
import { sql } from "drizzle-orm";
import { preparingFrom, rows, useNamedStatements, withTx } from "../db/db";
import { NO_LIMITS, setTradingLimits } from "../db/limits/trading-limits";
import * as ledger from "../db/ledger";
import { migrate } from "../db/migrate";
import { openPostgres } from "../db/open";
import { MarketSession } from "../party/market/session";
import type { MarketCommand } from "../party/settlement/types";
import { PHASES } from "../party/market/profile";
import { CpuMeter } from "./lib/cpu";
import { addMarket } from "../tests/support/market";
import { addPlayer } from "../tests/support/world";

const SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 50);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 400);
const LIMITS = process.env.BENCH_LIMITS === "1";
const PLAYERS = 100;
const base = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");

async function scratch(): Promise<string> {
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query("drop database if exists bazaar_bench_batch with (force)");
  await admin.query("create database bazaar_bench_batch");
  await admin.end();
  const url = new URL(base);
  url.pathname = "/bazaar_bench_batch";
  return url.toString();
}

const url = await scratch();
const db = await openPostgres(url, 4);
await migrate(db);
const market = await addMarket(db.db, { makerBps: 10, takerBps: 25 });
const players: string[] = [];
for (let i = 0; i < PLAYERS; i++) players.push(await addPlayer(db.db, `batch_${i}`));
await withTx(db.db, async (tx) => {
  for (const p of players) {
    await ledger.mint(tx, { actor: "bench" }, { playerId: p, asset: ledger.CURRENCY, amount: 1_000_000_000_000 });
    await ledger.mint(tx, { actor: "bench" }, { playerId: p, asset: market.itemTypeId, amount: 1_000_000_000 });
  }
});
if (LIMITS) {
  const [item] = await rows<{ slug: string }>(db.db, sql`select slug from item_types where id = ${market.itemTypeId}`);
  const set = await setTradingLimits(db.db, item!.slug, { ...NO_LIMITS, buyLimit: 10 ** 12, buyWindowSeconds: 4 * 3600, minAccountAgeSeconds: 1 }, "bench");
  if (!set.ok) throw new Error(set.message);
}
const preparing = preparingFrom(process.env.DB_NAMED_STATEMENTS);
useNamedStatements(preparing);
// One connection, so the session's transactions all run on one backend whose CPU can be read.
const one = await openPostgres(url, 1);
const PRELOAD = Number(process.env.BENCH_BATCH_PRELOAD ?? 0);
const PRELOAD_IDS = process.env.BENCH_BATCH_PRELOAD_IDS === "ordered" ? "time-ordered" : "random";
if (PRELOAD > 0) {
  // Ids as the code of either kind makes them: random, or ms time then random bits (older than now).
  const id = PRELOAD_IDS === "time-ordered"
    ? sql.raw(`(lpad(to_hex((extract(epoch from now()) * 1000)::bigint - ${PRELOAD} + g), 12, '0') || '7' || substr(md5(g::text), 1, 3) || '8' || substr(md5(g::text), 4, 15))::uuid`)
    : sql.raw(`gen_random_uuid()`);
  const t0 = performance.now();
  await rows(db.db, sql`insert into orders (id, market_slug, player_id, client_order_id, side, kind, time_in_force, price, quantity, remaining, filled, status, seq)
    select ${id}, ${market.slug}, ${players[0]}::uuid, 'pre' || g, 'buy', 'limit', 'GTC', 1000, 1, 0, 1, 'filled', g from generate_series(1, ${PRELOAD}) g`);
  await rows(db.db, sql`insert into events (stream, version, type, payload, actor, correlation_id, event_id)
    select 'preload:' || (g / 1000), g % 1000 + 1, 'preload', '{}', 'bench', gen_random_uuid(), ${id} from generate_series(1, ${PRELOAD}) g`);
  await rows(db.db, sql`checkpoint`);
  console.log(`preloaded ${PRELOAD} orders and events (${PRELOAD_IDS} ids) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
const session = (await MarketSession.open(() => one.db, market.slug))!;
const [backend] = await rows<{ pid: number }>(one.db, sql`select pg_backend_pid() as pid`);
/** The session backend's CPU seconds since the last take() (bench/lib/cpu.ts). */
const pgCpu = new CpuMeter({ backend: (p) => p.pid === backend!.pid });
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const open: string[][] = players.map(() => []);
let n = 0;
const command = (k: number): MarketCommand => {
  const i = k % PLAYERS;
  const playerId = players[i]!;
  const r = rand();
  const buy = rand() < 0.5;
  if (r < 0.25 && open[i]!.length > 0) return { type: "cancel", playerId, orderId: open[i]!.shift()! };
  if (r < 0.45) return { type: "place", playerId, clientOrderId: `c${n++}`, side: buy ? "buy" : "sell", orderType: "limit", price: buy ? 1_010 : 990, quantity: 1 + Math.floor(rand() * 5), timeInForce: "IOC" };
  return { type: "place", playerId, clientOrderId: `c${n++}`, side: buy ? "buy" : "sell", orderType: "limit", price: buy ? 990 - Math.floor(rand() * 20) : 1_010 + Math.floor(rand() * 20), quantity: 1 + Math.floor(rand() * 10) };
};
let k = 0;
const phases = PHASES.filter((x) => x !== "queued");
const table: string[] = [];
const quarter = Math.max(1, Math.floor(BATCHES / 4));
let cpu0 = process.cpuUsage();
pgCpu.take();
/** Postgres's WAL position (bytes): every batch's writes, index pages and full-page images included. */
const walAt = async (): Promise<number> => Number((await rows<{ b: string }>(db.db, sql`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as b`))[0]!.b);
let wal0 = await walAt();
let t0 = performance.now();
session.profile.take();
for (let b = 0; b < BATCHES; b++) {
  const commands = Array.from({ length: SIZE }, () => command(k++));
  const answers = await session.submitMany(commands);
  answers.forEach((a, j) => {
    const c = commands[j]!;
    if (a.ok && a.order?.status === "open" && c.type === "place") open[(k - SIZE + j) % PLAYERS]!.push(a.order.id);
  });
  if ((b + 1) % quarter === 0 || b + 1 === BATCHES) {
    const done = (b % quarter) + 1;
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const p = session.profile.take();
    const pgMs = ((pgCpu.take().backend! * 1000) / done).toFixed(2);
    const wal1 = await walAt();
    const walKb = ((wal1 - wal0) / 1024 / done).toFixed(1);
    wal0 = wal1;
    table.push(`| ${b + 1 - done + 1}-${b + 1} | ${(wall / done).toFixed(2)} | ${((cpu.user + cpu.system) / 1000 / done).toFixed(2)} | ${pgMs} | ${walKb} | ${phases.map((x) => p.phases[x].mean.toFixed(2)).join(" | ")} |`);
    cpu0 = process.cpuUsage();
    t0 = performance.now();
  }
}
const [fills] = await rows<{ n: string }>(db.db, sql`select count(*)::text as n from fills where market_slug = ${market.slug}`);
console.log(`\nbench:batch: ${BATCHES} batches of ${SIZE} commands, ${LIMITS ? "trading limits on" : "no trading limits"}, ${fills!.n} fills, ${session.openOrders.size} open orders at the end, statements prepared: ${preparing}, ${PRELOAD} orders and events preloaded${PRELOAD > 0 ? ` (${PRELOAD_IDS} ids)` : ""}, node-postgres to ${base.host}\n`);
console.log(`| batches (mean per batch) | wall ms | node CPU ms | pg CPU ms | WAL KB | ${phases.join(" | ")} |`);
console.log(`|---|---|---|---|---|${phases.map(() => "---").join("|")}|`);
for (const line of table) console.log(line);
await one.close();
await db.close();
