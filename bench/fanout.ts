/**
 * `npm run bench:fanout` (issue 22): one hot market, many watchers. One market room (partykit dev)
 * on the real Postgres; 20 traders send a steady open-loop order flow (BENCH_RATE, default 500
 * orders/s, the bench:market mix, so most batches trade); watchers (anonymous sockets, as a market
 * page opens) are added step by step (BENCH_SUBSCRIBERS, default 0,1000,5000,10000). Per step:
 *  - tick delivery: a trade's `at` (the room's clock when its batch committed and published) to its
 *    arrival at a watcher; one watcher in BENCH_SAMPLE (default 10) parses and times every update
 *    (the others only read their sockets and count frames and bytes, bench/market/raw-watcher.ts, so
 *    that the load generator spends its CPU on sockets, not on JSON and WebSocket decoding);
 *  - the commit loop: the room's own batch profile (GET ?profile, party/market/profile.ts), p50 and
 *    p99 of a batch's wall time and of its publish phase, the batch size (a slower loop gathers
 *    bigger batches: compare per step, not only the ratio), and the traders' p99 ack; the ratio is
 *    against the first step (workerd's clock moves only across I/O, so the publish phase's CPU shows
 *    up in the next phase that waits);
 *  - the client side's RSS, and the room process group's RSS;
 *  - where the CPU went (ADR 041): messages per watcher per second and their mean size, the load
 *    generator's own event-loop delay p99, and the cores used by workerd, partykit's node, this
 *    process, the proxy and Postgres (all of the host's postgres processes) during the step.
 * Env: DATABASE_URL (server; scratch database BENCH_DATABASE or bazaar_bench_fanout), BENCH_RATE,
 * BENCH_SUBSCRIBERS, BENCH_SAMPLE, BENCH_STEP_SECONDS (default 15), BENCH_PARTY_PORT (16999),
 * BENCH_PROXY_PORT (16989), BENCH_ROOM_VAR_<NAME>=<value> (a room variable, e.g.
 * BENCH_ROOM_VAR_ROOM_FANOUT_SLICE=0 for the whole round in one go, as before ADR 041).
 * Relay rooms (ADR 045): BENCH_RELAYS=<n> spreads the watchers over n relay rooms of the market
 * (`/parties/relay/<slug>.<k>`), each subscribed to the market room; BENCH_RELAY_PROCS=<p> (default
 * 1) runs them in p partykit devs of their own (each a workerd thread, as Durable Objects would be
 * spread over machines), 0 in the market room's own partykit. The room, Postgres, the proxy and every watcher share this machine's cores:
 * the figures are this box's, not a platform's (Durable Objects run a room per isolate elsewhere).
 * BENCH_CHECKPOINT=0: no CHECKPOINT after the warm-up (bench/lib/world.ts checkpointBeforeSteps; the header says which).
 * Last line: subscribers=<n> p99_tick_ms=<n> (the largest step).
 */
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { migrate } from "../db/migrate";
import { openPostgres } from "../db/open";
import type { ProfileSummary } from "../party/market/profile";
import { issueToken } from "../party/tokens";
import { startRooms, type Rooms } from "../tests/support/rooms";
import { CpuMeter, roomBenchParts } from "./lib/cpu";
import { checkpointBeforeSteps, fundedMarket, scratchDatabase } from "./lib/world";
import { RoomCode } from "../party/settlement/codes";
import { Trader } from "./market/trader";
import { RawWatcher } from "./market/raw-watcher";
import { Watcher } from "./market/watcher";
import { benchRoomVars } from "./lib/room-vars";
import { hostLine, loopDelayP99 } from "./lib/host";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RATE = num("BENCH_RATE", 500);
const STEPS = (process.env.BENCH_SUBSCRIBERS ?? "0,1000,5000,10000").split(",").map(Number);
const SAMPLE = Math.max(1, num("BENCH_SAMPLE", 10));
const STEP_S = num("BENCH_STEP_SECONDS", 15);
const TRADERS = 20;
/** Measured before anything of the bench starts (bench/lib/host.ts). */
const HOST = hostLine();
const SCRATCH = process.env.BENCH_DATABASE ?? "bazaar_bench_fanout";
const RELAYS = num("BENCH_RELAYS", 0);
const RELAY_PROCS = RELAYS > 0 ? num("BENCH_RELAY_PROCS", 1) : 0;
const RAW = process.env.BENCH_RAW_WATCHERS !== "0";

const q = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function groupRssMb(pgid: number | undefined): number {
  if (!pgid) return NaN;
  try {
    return execFileSync("ps", ["-o", "rss=", "-g", String(pgid)], { encoding: "utf8" }).split("\n").reduce((n, l) => n + (Number(l.trim()) || 0), 0) / 1024;
  } catch {
    return NaN;
  }
}

interface Step {
  subscribers: number;
  trades: number;
  tickP50: number;
  tickP99: number;
  tickMax: number;
  ackP99: number;
  durable: number;
  batches: number;
  sizeP50: number;
  batchP50: number;
  batchP99: number;
  publishP50: number;
  publishP99: number;
  clientMb: number;
  roomMb: number;
  /** Messages each watcher got per second of the step, and their mean size. */
  perWatcherPerS: number;
  bytesPerMessage: number;
  /** The load generator's own event-loop delay (a saturated client adds it to every tick). */
  clientLoopP99: number;
  /** CPU used per second of the step, in cores, per part. */
  cpu: Record<string, number>;
  load: number;
}

async function main() {
  const databaseUrl = await scratchDatabase(SCRATCH);
  const db = await openPostgres(databaseUrl, 4);
  await migrate(db);
  const { market, players } = await fundedMarket(db.db, TRADERS, "fan");
  const rooms = await startRooms({
    databaseUrl, port: num("BENCH_PARTY_PORT", 16999), proxyPort: num("BENCH_PROXY_PORT", 16989), proxyProcess: true,
    secret: "bench-room-secret-".padEnd(48, "x"),
    vars: benchRoomVars(),
  });
  const watchers: Array<Watcher | RawWatcher> = [];
  // Relay rooms' own partykit devs: one after the other (each inspector takes the next free port).
  const relayRooms: Rooms[] = [];
  try {
    for (let i = 0; i < RELAY_PROCS; i++) {
      relayRooms.push(await startRooms({
        databaseUrl, port: num("BENCH_PARTY_PORT", 16999) + 1 + i, proxyPort: num("BENCH_PROXY_PORT", 16989) + 1 + i,
        secret: rooms.secret, vars: { ...benchRoomVars(), RELAY_UPSTREAM: `ws://${rooms.host}` },
      }));
    }
    /**
     * Watcher i's socket: the market room, or relay i % RELAYS (in its process, round robin). One in
     * SAMPLE decodes and times (ws); the others only read and count frames (bench/market/raw-watcher.ts)
     * unless BENCH_RAW_WATCHERS=0.
     */
    const connectWatcher = (i: number): Promise<Watcher | RawWatcher> => {
      const [host, room, party] = RELAYS === 0 ? [rooms.host, market.slug, "main"] : [RELAY_PROCS > 0 ? relayRooms[(i % RELAYS) % RELAY_PROCS]!.host : rooms.host, `${market.slug}.${i % RELAYS}`, "relay"];
      return i % SAMPLE === 0 || !RAW ? Watcher.connect(host, room, party) : RawWatcher.connect(host, room, party);
    };
    const traders = await Promise.all(players.map(async (p) => Trader.connect(rooms.host, market.slug, await issueToken(rooms.secret, "player", p, 3600), p)));
    const roomGroup = rooms.pid();
    const relayGroups = new Set(relayRooms.map((r) => r.pid()));
    const meter = new CpuMeter({ ...roomBenchParts(roomGroup), relays: (p) => relayGroups.has(p.pgid) && p.comm === "workerd" });
    const service = await issueToken(rooms.secret, "service", "bench", 3600);
    const profile = async (): Promise<ProfileSummary | undefined> => {
      const res = await fetch(`http://${rooms.host}/parties/main/${market.slug}?profile`, { headers: { authorization: `Bearer ${service}` } });
      return res.ok ? ((await res.json()) as ProfileSummary) : undefined;
    };
    let n = 0;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const open: string[][] = players.map(() => []);
    /** The bench:market mix at RATE for `seconds`; resolves with the acks' latencies and answered count. */
    const trade = async (seconds: number) => {
      const latencies: number[] = [];
      let sent = 0;
      let answered = 0;
      const pending: Promise<void>[] = [];
      const t0 = performance.now();
      while (performance.now() - t0 < seconds * 1000) {
        const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
        for (; sent < due; sent++) {
          const i = sent % TRADERS;
          const mine = open[i]!;
          const r = rand();
          const buy = rand() < 0.5;
          const dueAt = t0 + (sent / RATE) * 1000;
          const command = r < 0.25 && mine.length > 0
            ? { type: "cancel", orderId: mine.shift() }
            : r < 0.45
              ? { type: "place", clientOrderId: `f${n++}`, side: buy ? "buy" : "sell", orderType: "limit", price: buy ? 1_010 : 990, quantity: 1 + Math.floor(rand() * 5), timeInForce: "IOC" }
              : { type: "place", clientOrderId: `f${n++}`, side: buy ? "buy" : "sell", orderType: "limit", price: buy ? 990 - Math.floor(rand() * 20) : 1_010 + Math.floor(rand() * 20), quantity: 1 + Math.floor(rand() * 10) };
          pending.push(traders[i]!.send(command).then((a) => {
            latencies.push(performance.now() - dueAt);
            // Refused at once by a room too far behind (ADR 048) is not settled: not counted as durable.
            if (a.code !== -1 && a.code !== 500 && a.code !== RoomCode.MARKET_BUSY) answered++;
            if (a.ok && a.order?.status === "open") mine.push(a.order.id);
          }));
        }
        await sleep(1);
      }
      await Promise.all(pending);
      return { latencies, durable: Math.round(answered / ((performance.now() - t0) / 1000)) };
    };

    await trade(3); // warm-up
    const checkpointed = await checkpointBeforeSteps();
    const results: Step[] = [];
    for (const target of STEPS) {
      // At least one watcher times the ticks (the 0 step: the traders' sockets and that one).
      while (watchers.length < Math.max(1, target)) {
        const batch = Math.min(200, Math.max(1, target) - watchers.length);
        const from = watchers.length;
        watchers.push(...(await Promise.all(Array.from({ length: batch }, (_, j) => connectWatcher(from + j)))));
      }
      await sleep(1_000);
      const delays: number[] = [];
      for (let i = 0; i < watchers.length; i += SAMPLE) (watchers[i] as Watcher).timing = delays;
      await profile(); // the step's profile starts clean
      const load = loadavg()[0]!;
      for (const w of watchers) w.messages = w.bytes = 0;
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      meter.take();
      const t0 = performance.now();
      const { latencies, durable } = await trade(STEP_S);
      await sleep(500); // the last ticks arrive
      const seconds = (performance.now() - t0) / 1000;
      const cpu = Object.fromEntries(Object.entries(meter.take()).map(([k, v]) => [k, v / seconds]));
      loop.disable();
      const p = await profile();
      const messages = watchers.reduce((n, w) => n + w.messages, 0);
      const bytes = watchers.reduce((n, w) => n + w.bytes, 0);
      results.push({
        subscribers: watchers.length,
        trades: delays.length,
        tickP50: q(delays, 0.5),
        tickP99: q(delays, 0.99),
        tickMax: delays.length ? delays.reduce((a, b) => (b > a ? b : a)) : NaN,
        ackP99: q(latencies, 0.99),
        durable,
        batches: p?.batches ?? 0,
        sizeP50: p?.size.p50 ?? NaN,
        batchP50: p?.total.p50 ?? NaN,
        batchP99: p?.total.p99 ?? NaN,
        publishP50: p?.phases.publish.p50 ?? NaN,
        publishP99: p?.phases.publish.p99 ?? NaN,
        clientMb: process.memoryUsage().rss / 2 ** 20,
        roomMb: groupRssMb(rooms.pid()),
        perWatcherPerS: messages / watchers.length / seconds,
        bytesPerMessage: messages ? bytes / messages : NaN,
        clientLoopP99: loopDelayP99(loop),
        cpu,
        load,
      });
      console.error(`step ${watchers.length} watchers: ${JSON.stringify(results.at(-1))}`);
    }
    for (const t of traders) t.close();

    const zero = results[0]!;
    const head = ["watchers", "trades timed", "p50 tick ms", "p99 tick ms", "max tick ms", "durable orders/s", "p99 ack ms", "batches", "p50 batch size", "p50 batch ms", "p99 batch ms", "p50 publish ms", "p99 publish ms", "batch p50 vs first", "room RSS MB", "client RSS MB", "msgs/s per watcher", "bytes per msg", "client loop p99 ms", "CPU cores: workerd / relays / partykit node / bench / proxy / postgres", "load avg"];
    const f = (x: number, d = 1) => (Number.isNaN(x) ? "-" : x.toFixed(d));
    const rowsOut = results.map((r) => [String(r.subscribers), String(r.trades), f(r.tickP50, 0), f(r.tickP99, 0), f(r.tickMax, 0), String(r.durable), f(r.ackP99), String(r.batches), f(r.sizeP50, 0), f(r.batchP50), f(r.batchP99), f(r.publishP50), f(r.publishP99), `${r.batchP50 && zero.batchP50 ? f(r.batchP50 / zero.batchP50, 2) : "-"}x`, f(r.roomMb, 0), f(r.clientMb, 0), f(r.perWatcherPerS), f(r.bytesPerMessage, 0), f(r.clientLoopP99, 0), ["workerd", "relays", "partykit", "bench", "proxy", "postgres"].map((k) => f(r.cpu[k] ?? NaN, 2)).join(" / "), f(r.load, 1)]);
    const w = head.map((h, i) => Math.max(h.length, ...rowsOut.map((row) => row[i]!.length)));
    const relayed = RELAYS > 0 ? `, watchers on ${RELAYS} relay rooms in ${RELAY_PROCS === 0 ? "the market room's partykit" : `${RELAY_PROCS} partykit dev(s) of their own`}` : ", watchers on the market room";
    console.log(`\nbench:fanout: ${RATE} orders/s offered, ${STEP_S} s per step, 1 watcher in ${SAMPLE} timed${relayed}`);
    console.log(`${HOST}; ${checkpointed}\n`);
    console.log(`| ${head.map((h, i) => h.padEnd(w[i]!)).join(" | ")} |`);
    console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
    for (const row of rowsOut) console.log(`| ${row.map((c, i) => c.padEnd(w[i]!)).join(" | ")} |`);
    const last = results.at(-1)!;
    console.log(`\nsubscribers=${last.subscribers} p99_tick_ms=${f(last.tickP99, 0)}`);
  } finally {
    for (const w of watchers) w.close();
    for (const r of relayRooms) await r.stop();
    await rooms.stop();
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
