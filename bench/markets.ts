/**
 * `npm run bench:markets`: many market rooms at once (partykit dev, one workerd) on the real
 * Postgres, players active in several markets each (one balance shared by all their markets),
 * driven open loop at one aggregate offered rate spread over every (player, market) socket. Same
 * command mix as bench:market (55% resting limits, 20% crossing IOC limits, 25% cancels).
 * Postgres connections stay bounded however many rooms run. BENCH_POOLER=pgbouncer (the default when
 * /usr/sbin/pgbouncer is installed): the rooms reach Postgres through Debian's PgBouncer in
 * transaction mode with BENCH_MAX_DB server connections, as Neon's pooled connection string does in
 * production (bench/lib/pgbouncer.ts); BENCH_POOLER=proxy: through the WebSocket proxy capped at
 * BENCH_MAX_DB whole connections, which a room keeps until it idles (DB_IDLE_MS). Each room's pool is
 * DB_POOL_MAX=BENCH_ROOM_POOL. Sampled every 500 ms: the scratch database's connections in
 * pg_stat_activity (and, on average, how many run a statement and how many of those wait on a
 * lock or on the rest of a statement from the client), PgBouncer's pool (SHOW POOLS: server
 * connections in a transaction or idle, clients waiting), and the rooms' process group RSS (per
 * room = RSS / markets); and the most commands one room received in one second (against Durable
 * Objects' ~1,000 requests/s per object). Per step, from /proc: how busy the box's cores were and
 * the cores each part used (Postgres, the rooms' workerd and partykit's node, the proxy, PgBouncer,
 * this bench), with Postgres's CPU per durable order.
 * A CHECKPOINT follows the warm-up unless BENCH_CHECKPOINT=0 (bench/lib/world.ts checkpointBeforeSteps).
 * Env: DATABASE_URL (server; scratch database bazaar_bench_markets), BENCH_MARKETS (100),
 * BENCH_PLAYERS (100), BENCH_MARKETS_PER_PLAYER (10), BENCH_RATES (1000,2500), BENCH_STEP_SECONDS (20),
 * BENCH_ROOM_VAR_<NAME>=<value>: a room variable for A/B runs (as bench:market's), BENCH_MAX_DB (32), BENCH_ROOM_POOL (1), BENCH_ROOM_IDLE_MS (10000: a room's idle connection closes
 * after this; the rooms' DB_IDLE_MS), BENCH_PARTY_PORT (15999), BENCH_PROXY_PORT (15989), BENCH_POOLER_PORT (15979).
 * WS_PROXY_TIMING_FILE=<file>: the proxy appends the round trips' time beyond it (PgBouncer and
 * Postgres) every 5 s, to set against the rooms' write phase (scripts/ws-proxy-timing.ts).
 * Last line: markets=<n> aggregate_orders_per_s=<n> p99_ack_ms=<n> pg_connections=<n>, for the best
 * step that kept up, or (said on the line before) the step that settled the most when none did.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import pg from "pg";
import { withTx } from "../db/db";
import * as ledger from "../db/ledger";
import { migrate } from "../db/migrate";
import { openPostgres } from "../db/open";
import { PHASES, type ProfileSummary } from "../party/market/profile";
import { issueToken } from "../party/tokens";
import { addMarket } from "../tests/support/market";
import { startRooms } from "../tests/support/rooms";
import { addPlayer } from "../tests/support/world";
import { checkpointBeforeSteps } from "./lib/world";
import { BoxMeter, CpuMeter, roomBenchParts } from "./lib/cpu";
import { PGBOUNCER, poolSampler, startPgBouncer, type PoolSamples, type Pooler } from "./lib/pgbouncer";
import { benchRoomVars } from "./lib/room-vars";
import { stopOnSignal } from "./lib/stop";
import { RoomCode } from "../party/settlement/codes";
import { Trader } from "./market/trader";
import { hostLine } from "./lib/host";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** The rooms' batch profiles in one: batches summed; means weighted by each room's batches; p99 the worst room's. */
interface RoomsProfile { batches: number; size: { mean: number; p99: number }; phases: Record<string, { mean: number; p99: number }>; total: { mean: number; p99: number } }
function combine(all: ProfileSummary[]): RoomsProfile {
  const batches = all.reduce((n, p) => n + p.batches, 0);
  const of = (pick: (p: ProfileSummary) => { mean: number; p99: number }) => ({
    mean: batches ? all.reduce((x, p) => x + pick(p).mean * p.batches, 0) / batches : 0,
    p99: Math.max(0, ...all.filter((p) => p.batches > 0).map((p) => pick(p).p99)),
  });
  return { batches, size: of((p) => p.size), total: of((p) => p.total), phases: Object.fromEntries(PHASES.map((ph) => [ph, of((p) => p.phases[ph])])) };
}
const MARKETS = num("BENCH_MARKETS", 100);
/** Measured before anything of the bench starts (bench/lib/host.ts). */
const HOST = hostLine();
const PLAYERS = num("BENCH_PLAYERS", 100);
const PER_PLAYER = Math.min(num("BENCH_MARKETS_PER_PLAYER", 10), MARKETS);
const RATES = (process.env.BENCH_RATES ?? "1000,2500").split(",").map(Number);
const STEP_S = num("BENCH_STEP_SECONDS", 20);
const MAX_DB = num("BENCH_MAX_DB", 32);
const ROOM_POOL = num("BENCH_ROOM_POOL", 1);
const ROOM_IDLE_MS = num("BENCH_ROOM_IDLE_MS", 10_000);
const POOLER = process.env.BENCH_POOLER ?? (existsSync(PGBOUNCER) ? "pgbouncer" : "proxy");
if (POOLER !== "pgbouncer" && POOLER !== "proxy") throw new Error(`BENCH_POOLER must be pgbouncer or proxy, not ${POOLER}`);
const base = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");
const DB_NAME = "bazaar_bench_markets";

const q = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : NaN);

async function scratchDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${DB_NAME} with (force)`);
  await admin.query(`create database ${DB_NAME}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
}

/** RSS in MB of a process group (partykit dev, its node and workerd). */
function groupRssMb(pgid: number | undefined): number {
  if (!pgid) return NaN;
  try {
    const out = execFileSync("ps", ["-o", "rss=", "-g", String(pgid)], { encoding: "utf8" });
    return out.split("\n").reduce((n, l) => n + (Number(l.trim()) || 0), 0) / 1024;
  } catch {
    return NaN;
  }
}

/** A markdown table, columns right-aligned to their widest cell. */
function printTable(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padStart(w[i]!)).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

interface Step { profile: RoomsProfile; offered: number; sent: number; durable: number; p50: number; p99: number; fills: number; pgMax: number; pgActive: number; pgLockWaits: number; pgClientReads: number; rssMb: number; disconnected: number; busy: number; roomPeak: number; cores: Record<string, number>; boxBusy: number; pool: PoolSamples }

async function main() {
  const databaseUrl = await scratchDatabase();
  const db = await openPostgres(databaseUrl, 4);
  await migrate(db);
  const markets: Array<{ slug: string; itemTypeId: number }> = [];
  for (let i = 0; i < MARKETS; i++) markets.push(await addMarket(db.db, { makerBps: 10, takerBps: 25 }));
  const players: string[] = [];
  for (let i = 0; i < PLAYERS; i++) players.push(await addPlayer(db.db, `bench_${i}`));
  // Player i trades in PER_PLAYER consecutive markets; one balance pays for all of them.
  const marketsOf = (i: number) => Array.from({ length: PER_PLAYER }, (_, k) => (i * PER_PLAYER + k) % MARKETS);
  for (let i = 0; i < PLAYERS; i++) {
    await withTx(db.db, async (tx) => {
      await ledger.mint(tx, { actor: "bench" }, { playerId: players[i]!, asset: ledger.CURRENCY, amount: 1_000_000_000_000 });
      for (const m of marketsOf(i)) await ledger.mint(tx, { actor: "bench" }, { playerId: players[i]!, asset: markets[m]!.itemTypeId, amount: 1_000_000_000 });
    });
  }
  console.error(`bench:markets: ${MARKETS} markets, ${PLAYERS} players x ${PER_PLAYER} markets, seeded`);
  const pooler: Pooler | undefined = POOLER === "pgbouncer" ? await startPgBouncer({ databaseUrl, port: num("BENCH_POOLER_PORT", 15979), serverConnections: MAX_DB }) : undefined;
  const rooms = await startRooms({
    databaseUrl: pooler?.url ?? databaseUrl,
    port: num("BENCH_PARTY_PORT", 15999),
    proxyPort: num("BENCH_PROXY_PORT", 15989),
    proxyProcess: true,
    // Through PgBouncer the proxy forwards every connection: the pooler holds the server side to MAX_DB.
    maxUpstream: pooler ? 0 : MAX_DB,
    vars: { DB_POOL_MAX: String(ROOM_POOL), DB_IDLE_MS: String(ROOM_IDLE_MS), ...(pooler ? { DB_NAMED_STATEMENTS: "server" } : {}), ...benchRoomVars() },
    log: `.data/logs/bench-markets-rooms.log`,
  });
  stopOnSignal(pooler?.stop, () => rooms.stop());
  const monitor = new pg.Client({ connectionString: base.toString() });
  await monitor.connect();
  let pool: Awaited<ReturnType<typeof poolSampler>> | undefined;
  try {
    const sockets: Trader[] = [];
    for (let i = 0; i < PLAYERS; i++) {
      const token = await issueToken(rooms.secret, "player", players[i]!, 3600);
      sockets.push(...(await Promise.all(marketsOf(i).map((m) => Trader.connect(rooms.host, markets[m]!.slug, token, players[i]!)))));
    }
    const slugOf = new Map<Trader, string>();
    for (let i = 0; i < PLAYERS; i++) marketsOf(i).forEach((m, k) => slugOf.set(sockets[i * PER_PLAYER + k]!, markets[m]!.slug));
    console.error(`bench:markets: ${sockets.length} trading sockets open`);

    // The scratch database's backends: all of them, those running a statement, and those of them
    // waiting on a lock (players share balances across markets: their rows are wanted by several
    // rooms) or on the rest of the statement from the client (ClientRead while active).
    const pgBackends = async () => {
      const [r] = (await monitor.query<{ n: string; active: string; locked: string; reading: string }>(
        `select count(*)::text as n, count(*) filter (where state = 'active')::text as active,
           count(*) filter (where state = 'active' and wait_event_type = 'Lock')::text as locked,
           count(*) filter (where state = 'active' and wait_event = 'ClientRead')::text as reading
         from pg_stat_activity where datname = $1`, [DB_NAME])).rows;
      return { n: Number(r!.n), active: Number(r!.active), locked: Number(r!.locked), reading: Number(r!.reading) };
    };
    // Where the box's two cores go during a step, by part (bench/lib/cpu.ts), and whether PgBouncer's
    // server connections, rather than the cores, are what the rooms wait for.
    const roomGroup = rooms.pid();
    const meter = new CpuMeter({ ...roomBenchParts(roomGroup), pgbouncer: (p) => p.comm === "pgbouncer" });
    const box = new BoxMeter();
    pool = pooler ? await poolSampler(pooler.url, DB_NAME) : undefined;
    // Each room's batch profile (GET ?profile, party/market/profile.ts; read and reset), for where a
    // room's batch time goes with a hundred rooms: queued, planning, the write's round trip, publish.
    const service = await issueToken(rooms.secret, "service", "bench", 3600);
    const profiles = () =>
      Promise.all(markets.map(async (m) => {
        const res = await fetch(`http://${rooms.host}/parties/main/${m.slug}?profile`, { headers: { authorization: `Bearer ${service}` } });
        return res.ok ? ((await res.json()) as ProfileSummary) : undefined;
      }));
    let n = 0;
    const runStep = async (rate: number): Promise<Step> => {
      await profiles(); // start the step's profiles clean
      const latencies: number[] = [];
      const open = sockets.map(() => [] as string[]);
      let sent = 0, answered = 0, fills = 0, disconnected = 0, busy = 0, pgMax = 0, rssMb = 0;
      const backends = { samples: 0, active: 0, locked: 0, reading: 0 };
      const pooled: PoolSamples = { samples: 0, serverActive: 0, serverIdle: 0, clientsWaiting: 0 };
      // Commands each room received per whole second of the step: the busiest (room, second) is
      // what the platform's per-object budget (~1,000 requests/s) must hold.
      const perRoomSecond = new Map<string, number>();
      const sampler = setInterval(() => {
        void pgBackends().then((b) => {
          pgMax = Math.max(pgMax, b.n);
          backends.samples++;
          backends.active += b.active;
          backends.locked += b.locked;
          backends.reading += b.reading;
        }, () => undefined);
        void pool?.sample(pooled).catch(() => undefined);
        rssMb = Math.max(rssMb, groupRssMb(rooms.pid()));
      }, 500);
      meter.take();
      box.take();
      let seed = rate;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const pending: Promise<void>[] = [];
      const t0 = performance.now();
      while (performance.now() - t0 < STEP_S * 1000) {
        const due = Math.floor(((performance.now() - t0) / 1000) * rate);
        for (; sent < due; sent++) {
          // Spread over every socket: consecutive commands go to different players and markets.
          const s = (sent * 7919) % sockets.length;
          const mine = open[s]!;
          const r = rand();
          const buy = rand() < 0.5;
          const dueAt = t0 + (sent / rate) * 1000;
          const command = r < 0.25 && mine.length > 0
            ? { type: "cancel", orderId: mine.shift() }
            : r < 0.45
              ? { type: "place", clientOrderId: `m${n++}`, side: buy ? "buy" : "sell", orderType: "limit", price: buy ? 1_010 : 990, quantity: 1 + Math.floor(rand() * 5), timeInForce: "IOC" }
              : { type: "place", clientOrderId: `m${n++}`, side: buy ? "buy" : "sell", orderType: "limit", price: buy ? 990 - Math.floor(rand() * 20) : 1_010 + Math.floor(rand() * 20), quantity: 1 + Math.floor(rand() * 10) };
          const key = `${slugOf.get(sockets[s]!)}@${Math.floor((performance.now() - t0) / 1000)}`;
          perRoomSecond.set(key, (perRoomSecond.get(key) ?? 0) + 1);
          pending.push(sockets[s]!.send(command).then((a) => {
            // Refused at once by a room too far behind (ADR 048): counted apart, not in the latencies.
            if (a.code === RoomCode.MARKET_BUSY) return void busy++;
            latencies.push(performance.now() - dueAt);
            if (a.code === -1) disconnected++;
            else if (a.code !== 500) answered++;
            fills += a.fills?.length ?? 0;
            if (a.ok && a.order?.status === "open") mine.push(a.order.id);
          }));
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      await Promise.all(pending);
      clearInterval(sampler);
      const seconds = (performance.now() - t0) / 1000;
      const cores = Object.fromEntries(Object.entries(meter.take()).map(([k, v]) => [k, v / seconds]));
      const boxBusy = box.take();
      const profile = combine((await profiles()).filter((p): p is ProfileSummary => p !== undefined));
      return { profile, offered: rate, sent, durable: Math.round(answered / seconds), p50: q(latencies, 0.5), p99: q(latencies, 0.99), fills: Math.round(fills / seconds), pgMax, pgActive: backends.active / Math.max(1, backends.samples), pgLockWaits: backends.locked / Math.max(1, backends.samples), pgClientReads: backends.reading / Math.max(1, backends.samples), rssMb, cores, boxBusy, pool: pooled, disconnected, busy, roomPeak: Math.max(0, ...perRoomSecond.values()) };
    };

    await runStep(Math.min(200, RATES[0]!)); // warm-up: every room opened its market
    const checkpointed = await checkpointBeforeSteps();
    const results: Step[] = [];
    for (const rate of RATES) {
      const r = await runStep(rate);
      results.push(r);
      console.error(`step ${rate}/s done: ${JSON.stringify(r)}`);
    }
    for (const s of sockets) s.close();

    const load = (await import("node:os")).loadavg().map((x) => x.toFixed(2)).join(" ");
    console.log(`\nbench:markets: ${MARKETS} rooms in one partykit dev, ${PLAYERS} players x ${PER_PLAYER} markets (${sockets.length} sockets), ${STEP_S}s per step, Postgres ${base.host} capped at ${MAX_DB} connections ${pooler ? "by PgBouncer (transaction mode)" : "by the proxy (whole connections)"} (DB_POOL_MAX=${ROOM_POOL} per room, idle after ${ROOM_IDLE_MS} ms), load average ${load}`);
    console.log(`${HOST}; ${checkpointed}\n`);
    const head = ["offered/s", "sent", "durable orders/s", "p50 ack ms", "p99 ack ms", "fills/s", "pg connections (max)", "pg statements running (mean)", "of them waiting on a lock", "rooms RSS MB", "RSS per room MB", "peak commands/s one room", "disconnected", "refused busy"];
    const rows = results.map((r) => [r.offered, r.sent, r.durable, r.p50.toFixed(1), r.p99.toFixed(1), r.fills, r.pgMax, r.pgActive.toFixed(1), r.pgLockWaits.toFixed(1), r.rssMb.toFixed(0), (r.rssMb / MARKETS).toFixed(1), r.roomPeak, r.disconnected, r.busy].map(String));
    printTable(head, rows);
    console.log(`\nwhere a room's batch time goes (ms; mean over every room's batches / the worst room's p99; size in commands)\n`);
    const phead = ["offered/s", "batches", "size", ...PHASES, "total"];
    const cell = (x: { mean: number; p99: number }) => `${x.mean.toFixed(1)}/${x.p99.toFixed(0)}`;
    const prows = results.map((r) => [String(r.offered), String(r.profile.batches), cell(r.profile.size), ...PHASES.map((ph) => cell(r.profile.phases[ph]!)), cell(r.profile.total)]);
    printTable(phead, prows);
    console.log(`\nwhere the box's CPU goes (cores, mean over the step; Postgres = all its processes), and PgBouncer's pool (means of the 500 ms samples)\n`);
    const parts = ["postgres", "workerd", "partykit", "proxy", "pgbouncer", "bench"];
    const chead = ["offered/s", "box busy", ...parts.map((k) => `${k} cores`), "Postgres CPU ms per durable order", "statements reading from the client", "server connections in a transaction / idle", "clients waiting"];
    const avg = (x: number, r: Step) => (r.pool.samples ? (x / r.pool.samples).toFixed(1) : "-");
    const crows = results.map((r) => [String(r.offered), `${(r.boxBusy * 100).toFixed(0)}%`, ...parts.map((k) => (r.cores[k] ?? NaN).toFixed(2)),
      ((r.cores.postgres! * 1000) / Math.max(1, r.durable)).toFixed(3), r.pgClientReads.toFixed(1), `${avg(r.pool.serverActive, r)} / ${avg(r.pool.serverIdle, r)}`, avg(r.pool.clientsWaiting, r)]);
    printTable(chead, crows);
    const sustained = results.filter((r) => r.p99 < 1_000 && r.disconnected === 0 && r.busy === 0);
    // The best step that kept up (p99 ack under 1 s, nobody refused or dropped); when none did, the
    // step that settled the most (the rooms' ceiling), said so on the line before.
    const most = (steps: Step[]) => steps.reduce((a, b) => (b.durable > a.durable ? b : a));
    const best = sustained.length ? most(sustained) : most(results);
    if (!sustained.length) console.log(`no step kept up (p99 ack under 1 s, nothing refused or dropped): the last line is the step that settled the most, ${best.offered}/s offered`);
    console.log(`markets=${MARKETS} aggregate_orders_per_s=${best.durable} p99_ack_ms=${best.p99.toFixed(1)} pg_connections=${Math.max(...results.map((r) => r.pgMax))}`);
  } finally {
    await pool?.end();
    await monitor.end();
    await rooms.stop();
    await pooler?.stop();
    await db.close();
    const admin = new pg.Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`drop database if exists ${DB_NAME} with (force)`);
    await admin.end();
  }
}

await main();
