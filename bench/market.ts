/**
 * `npm run bench:market`: one market room (partykit dev) on the real Postgres, driven from this
 * process over WebSockets at fixed offered rates (open loop: latency is measured from the moment
 * each command was due, so a slow room cannot hide its queue), then 1,000 subscribers watching
 * during load. Mix: 55% resting limits, 20% crossing limits, 25% cancels of the player's own orders.
 * Beside the acks, every 10 ms an anonymous socket sends a command the room refuses from its message
 * handler (bench/market/echo.ts): "no-batch answer" is that round trip, the part of an ack that is
 * transport, workerd's event loop and this client rather than queueing, planning and Postgres.
 * Env: DATABASE_URL (a server; a scratch database bazaar_bench, or BENCH_DATABASE, or bazaar_bench_<BENCH_PARTY_PORT>, is created there), BENCH_STEP_SECONDS
 * (default 20), BENCH_RATES (default 1000,2500,5000,6000,10000), BENCH_SUBSCRIBERS (default 1000),
 * BENCH_SAMPLE (default 10: one subscriber in 10 parses and times every update, as bench:fanout does;
 * 1 = every subscriber parses, as before 2026-12-05). BENCH_ROOM_VAR_<NAME>=<value>: a room variable
 * (e.g. BENCH_ROOM_VAR_ROOM_FEED_FLUSH_MS=30). BENCH_CHECKPOINT=0: no CHECKPOINT after the warm-up
 * (bench/lib/world.ts checkpointBeforeSteps; the header says which).
 * After the table, a second one says where the room's batches spent their time in each step (its
 * `GET ?profile`, party/market/profile.ts): queued, BEGIN, each statement, planning, COMMIT, publish;
 * a third, the cores each part used in each step (bench/lib/cpu.ts: the room's workerd, partykit's
 * node, this process, the WebSocket proxy, every Postgres process).
 * BENCH_PRICE_ALERTS (default 0): that many price alerts on the market before the room starts
 * (issue 16: 10,000 must not slow a batch by more than 5%), see seedPriceAlerts.
 * BENCH_LIMITS=1 (issue 17, ADR 027): the item type gets trading limits no order reaches (a buy limit
 * of 10^12 per 4 hours, a 1-second account-age gate to sell), so every batch reads and judges them.
 * BENCH_PUSH=1 (issue 16): every player gets a push subscription on a local push service, the room
 * nudges a drain served in this process, and a third table gives the commit-to-push delay
 * p50/p99 per step (bench/market/push.ts). BENCH_PUSH_TAIL_SECONDS: the post-step drain's limit.
 * BENCH_TRACE=1 (issue 21, ADR 040): tracing on, for its overhead against a run without: the room
 * exports to a local OTLP receiver in this process, every command carries a W3C traceparent whose
 * sampled flag is set for BENCH_TRACE_RATIO of them (default 0.01, production's head sampling), and
 * batches without a sampled command start a trace at the same ratio. The run ends with the spans received.
 */
import pg from "pg";
import { sql } from "drizzle-orm";
import { rows, withTx } from "../db/db";
import { NO_LIMITS, setTradingLimits } from "../db/limits/trading-limits";
import * as ledger from "../db/ledger";
import { migrate } from "../db/migrate";
import { openPostgres } from "../db/open";
import { startRooms } from "../tests/support/rooms";
import { stopOnSignal } from "./lib/stop";
import { addMarket } from "../tests/support/market";
import { addPlayer } from "../tests/support/world";
import { issueToken } from "../party/tokens";
import { checkpointBeforeSteps, fundedMarket, scratchDatabase } from "./lib/world";
import { RoomCode } from "../party/settlement/codes";
import { Trader } from "./market/trader";
import { EchoProbe } from "./market/echo";
import { Watcher } from "./market/watcher";
import { CpuMeter, roomBenchParts } from "./lib/cpu";
import { TickRounds } from "./market/tick-rounds";
import { benchRoomVars } from "./lib/room-vars";
import { PHASES, type ProfileSummary } from "../party/market/profile";
import { pushTable, startPushBench, type PushBench, type PushStep } from "./market/push";
import { runConsumer } from "../db/consumers/run";
import { fraudConsumer } from "../db/fraud/consumer";
import { auditIndexConsumer } from "../db/audit-search/index";
import type { Consumer } from "../db/consumers/run";
import { ECONOMY_CONSUMERS } from "../db/economy/consumers";
import { boardsConsumer } from "../edge/leaderboards/boards.server";
import { createRedis } from "../edge/redis.server";
import { startOtlpReceiver, type OtlpReceiver } from "../tests/support/otlp-receiver";
import { sampledByRatio } from "../party/telemetry/tracer";
import { newSpanId, newTraceId, traceparentOf } from "../party/telemetry/traceparent";
import { hostLine, loopDelayP99 } from "./lib/host";
import { monitorEventLoopDelay } from "node:perf_hooks";

const STEP_S = Number(process.env.BENCH_STEP_SECONDS ?? 20);
const RATES = (process.env.BENCH_RATES ?? "1000,2500,5000,6000,10000").split(",").map(Number);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
/** One subscriber in BENCH_SAMPLE parses and times every update; the rest count bytes (bench/market/watcher.ts). */
const SAMPLE = Math.max(1, Number(process.env.BENCH_SAMPLE ?? 10));
const PARTS = ["workerd", "partykit", "bench", "proxy", "postgres"] as const;
const PRICE_ALERTS = Number(process.env.BENCH_PRICE_ALERTS ?? 0);
const PUSH = process.env.BENCH_PUSH === "1";
/** The scratch database: BENCH_DATABASE, else one per BENCH_PARTY_PORT so that two benches side by side do not drop each other's. */
const SCRATCH = process.env.BENCH_DATABASE ?? `bazaar_bench${process.env.BENCH_PARTY_PORT ? `_${process.env.BENCH_PARTY_PORT}` : ""}`;
const LIMITS = process.env.BENCH_LIMITS === "1";
/** Measured before anything of the bench starts (bench/lib/host.ts). */
const HOST = hostLine();
/**
 * BENCH_CONSUMERS=economy,leaderboards,fraud,audit (any of them; BENCH_FRAUD=1 is fraud alone): the
 * cron's feed consumers (edge/feed/scheduled.server.ts) run one after the other every second during
 * the steps, on their own connection, as a busy deployment would run them (the cron runs them once
 * a minute). They never sit on a batch's path (issues 18, 19): what they cost a batch is the
 * Postgres and CPU time they take beside it. The leaderboards' Redis copy is the in-process store.
 */
const CONSUMER_KINDS = ["economy", "leaderboards", "fraud", "audit"] as const;
const CONSUMERS = [...new Set([...(process.env.BENCH_CONSUMERS ?? "").split(",").filter(Boolean), ...(process.env.BENCH_FRAUD === "1" ? ["fraud"] : [])])];
for (const c of CONSUMERS) if (!(CONSUMER_KINDS as readonly string[]).includes(c)) throw new Error(`BENCH_CONSUMERS: ${c} is not one of ${CONSUMER_KINDS.join(", ")}`);
const TRACE = process.env.BENCH_TRACE === "1";
const TRACE_RATIO = Number(process.env.BENCH_TRACE_RATIO ?? 0.01);

/**
 * Traceparents for the commands (BENCH_TRACE=1): a pool made once and cycled, so that the client's
 * cost of making ids does not weigh on the room's figures; sampled by the ratio on the trace id, as
 * the edge decides for a trace it starts.
 */
function traceparents(n = 4_096): string[] {
  return Array.from({ length: n }, () => {
    const traceId = newTraceId();
    return traceparentOf(traceId, newSpanId(), sampledByRatio(traceId, TRACE_RATIO));
  });
}
const PLAYERS = 100;
const base = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");

const q = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : NaN);

/**
 * Price alerts spread over 1..2,000 copper in both directions (the bench trades at 970-1,030), one
 * in ten repeating every 60 s: the ones already crossed fire in the warm-up, the rest sit in the
 * room's index and are checked against every batch's trades. Inserted directly, past the
 * per-player limit (100 players x 100 alerts).
 */
async function seedPriceAlerts(url: string, slug: string, players: string[], count: number): Promise<void> {
  if (count <= 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    `insert into price_alerts (player_id, market_slug, direction, price, cooldown_seconds)
     select ($1::uuid[])[1 + g % cardinality($1::uuid[])], $2, case when g % 2 = 0 then 'above' else 'below' end,
            1 + (g * 7919) % 2000, case when g % 10 = 0 then 60 end
     from generate_series(1, $3::int) g`,
    [players, slug, count],
  );
  await client.end();
}

/** The chosen consumers every second until stopped; says how many runs, events read (and flags raised). */
function startConsumerLoop(databaseUrl: string, kinds: string[]): { stop(): Promise<string> } {
  let stopped = false;
  const stats = { runs: 0, events: 0, ms: [] as number[] };
  const done = (async () => {
    const opened = await openPostgres(databaseUrl, 1);
    const redis = createRedis({});
    const consumers: Consumer[] = kinds.flatMap((k) =>
      k === "economy" ? ECONOMY_CONSUMERS : k === "leaderboards" ? [boardsConsumer({ db: opened.db, redis })] : k === "fraud" ? [fraudConsumer()] : [auditIndexConsumer],
    );
    try {
      while (!stopped) {
        const t0 = performance.now();
        for (const c of consumers) stats.events += await runConsumer(opened.db, c, 500, 1_000);
        stats.ms.push(performance.now() - t0);
        stats.runs++;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      if (!kinds.includes("fraud")) return "";
      const [flags] = await rows<{ n: number }>(opened.db, sql`select count(*)::int as n from fraud_flags`);
      return `, ${flags!.n} flags`;
    } finally {
      await opened.close();
    }
  })();
  return {
    async stop() {
      stopped = true;
      const flags = await done;
      return `${stats.runs} runs, ${stats.events} events read, run p50 ${q(stats.ms, 0.5).toFixed(0)} ms / max ${Math.max(0, ...stats.ms).toFixed(0)} ms${flags}`;
    },
  };
}

interface StepResult { offered: number; sent: number; acked: number; durable: number; p50: number; p99: number; fills: number; tickP99: number; tickSplit: { before: [number, number]; within: [number, number] }; loopP99: number; subscribers: number; retry: number; busy: number; msgsPerSub: number; bytesPerMsg: number; echo: [number, number]; profile?: ProfileSummary; cpu: Record<string, number>; push?: PushStep }

async function main() {
  const databaseUrl = await scratchDatabase(SCRATCH);
  const db = await openPostgres(databaseUrl, 8);
  await migrate(db);
  const { market, players } = await fundedMarket(db.db, PLAYERS, "bench");
  await seedPriceAlerts(databaseUrl, market.slug, players, PRICE_ALERTS);
  if (LIMITS) {
    const [item] = await rows<{ slug: string }>(db.db, sql`select slug from item_types where id = ${market.itemTypeId}`);
    const set = await setTradingLimits(db.db, item!.slug, { ...NO_LIMITS, buyLimit: 10 ** 12, buyWindowSeconds: 4 * 3600, minAccountAgeSeconds: 1 }, "bench");
    if (!set.ok) throw new Error(set.message);
  }
  const roomSecret = "bench-room-secret-".padEnd(48, "x");
  const push: PushBench | undefined = PUSH ? await startPushBench({ databaseUrl, players, roomSecret, drainPort: Number(process.env.BENCH_PUSH_DRAIN_PORT ?? 0) }) : undefined;
  const otlp: OtlpReceiver | undefined = TRACE ? await startOtlpReceiver() : undefined;
  const tracing: Record<string, string> = otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_TRACES_SAMPLER_ARG: String(TRACE_RATIO) } : {};
  const parents = TRACE ? traceparents() : [];
  const rooms = await startRooms({
    databaseUrl, port: Number(process.env.BENCH_PARTY_PORT ?? 14999), proxyPort: Number(process.env.BENCH_PROXY_PORT ?? 14989), proxyProcess: true, secret: roomSecret,
    vars: { ...(push ? { PUSH_DRAIN_URL: push.drainUrl } : {}), ...tracing, ...benchRoomVars() },
  });
  stopOnSignal(() => rooms.stop().finally(() => otlp?.stop()));
  try {
    const traders = await Promise.all(players.map(async (p) => Trader.connect(rooms.host, market.slug, await issueToken(rooms.secret, "player", p, 3600), p)));
    // Answers without a batch beside the acks (bench/market/echo.ts).
    const echo = await EchoProbe.connect(rooms.host, market.slug);
    const results: StepResult[] = [];
    let n = 0;
    // Where the room's batches spent their time during a step (read and reset through the room).
    const service = await issueToken(rooms.secret, "service", "bench", 3600);
    const profile = async (): Promise<ProfileSummary | undefined> => {
      const res = await fetch(`http://${rooms.host}/parties/main/${market.slug}?profile`, { headers: { authorization: `Bearer ${service}` } });
      return res.ok ? ((await res.json()) as ProfileSummary) : undefined;
    };
    // The cores each part used during a step (bench/lib/cpu.ts).
    const meter = new CpuMeter(roomBenchParts(rooms.pid()));
    const runStep = async (rate: number, subscribers: Watcher[]): Promise<StepResult> => {
      await profile(); // start the step's profile clean
      push?.stepStart();
      const tickDelays: number[] = [];
      const rounds = new TickRounds();
      for (const [i, s] of subscribers.entries()) if (i % SAMPLE === 0) [s.timing, s.rounds] = [tickDelays, rounds];
      const counted = () => subscribers.reduce((c, s) => ({ messages: c.messages + s.messages, bytes: c.bytes + s.bytes }), { messages: 0, bytes: 0 });
      const before = counted();
      const latencies: number[] = [];
      const open: string[][] = players.map(() => []);
      let sent = 0, acked = 0, answered = 0, fills = 0, retry = 0, busy = 0;
      // The load generator's own event-loop delay: an ack or a tick read late by a busy client
      // counts in the latencies, so a step says how late the client itself ran.
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      meter.take();
      const t0 = performance.now();
      echo.start();
      const pending: Promise<void>[] = [];
      let seed = rate;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      // Open loop: command k is due at t0 + k / rate; send everything that is due, every ms.
      while (performance.now() - t0 < STEP_S * 1000) {
        const due = Math.floor(((performance.now() - t0) / 1000) * rate);
        for (; sent < due; sent++) {
          const i = sent % PLAYERS;
          const trader = traders[i]!;
          const mine = open[i]!;
          const r = rand();
          const dueAt = t0 + (sent / rate) * 1000;
          const buy = rand() < 0.5;
          const command: Record<string, unknown> = r < 0.25 && mine.length > 0
            ? { type: "cancel", orderId: mine.shift() }
            : r < 0.45
              ? { type: "place", clientOrderId: `c${n++}`, side: buy ? "buy" : "sell", orderType: "limit", price: buy ? 1_010 : 990, quantity: 1 + Math.floor(rand() * 5), timeInForce: "IOC" }
              : { type: "place", clientOrderId: `c${n++}`, side: buy ? "buy" : "sell", orderType: "limit", price: buy ? 990 - Math.floor(rand() * 20) : 1_010 + Math.floor(rand() * 20), quantity: 1 + Math.floor(rand() * 10) };
          if (TRACE) command.traceparent = parents[sent % parents.length];
          pending.push(trader.send(command).then((a) => {
            // Refused at once by a room too far behind (ADR 048): counted apart, not in the latencies.
            if (a.code === RoomCode.MARKET_BUSY) return void busy++;
            latencies.push(performance.now() - dueAt);
            if (a.ok) acked++;
            if (a.code === 500) retry++;
            else if (a.code !== -1) answered++; // answered after COMMIT (rejections included)
            fills += a.fills?.length ?? 0;
            if (a.ok && a.order?.status === "open") mine.push(a.order.id);
          }));
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      const echoes = echo.stop();
      await Promise.all(pending);
      loop.disable();
      const seconds = (performance.now() - t0) / 1000;
      const cpu = Object.fromEntries(Object.entries(meter.take()).map(([k, v]) => [k, v / seconds]));
      for (const s of subscribers) [s.timing, s.rounds] = [undefined, undefined];
      const split = rounds.split();
      const tickSplit = { before: [q(split.before, 0.5), q(split.before, 0.99)] as [number, number], within: [q(split.within, 0.5), q(split.within, 0.99)] as [number, number] };
      const after = counted();
      const messages = after.messages - before.messages;
      const msgsPerSub = messages / subscribers.length / seconds;
      const bytesPerMsg = messages > 0 ? (after.bytes - before.bytes) / messages : 0;
      const stepProfile = await profile();
      return { offered: rate, sent, acked, durable: Math.round(answered / seconds), p50: q(latencies, 0.5), p99: q(latencies, 0.99), fills: Math.round(fills / seconds), tickP99: q(tickDelays, 0.99), tickSplit, echo: [q(echoes, 0.5), q(echoes, 0.99)], loopP99: loopDelayP99(loop), subscribers: subscribers.length, retry, busy, msgsPerSub, bytesPerMsg, profile: stepProfile, cpu, push: await push?.stepEnd() };
    };
    // One watcher for tick delivery in the plain steps.
    const watcher = await Watcher.connect(rooms.host, market.slug);
    await runStep(500, [watcher]); // warm-up, not reported
    const checkpointed = await checkpointBeforeSteps();
    const consumers = CONSUMERS.length > 0 ? startConsumerLoop(databaseUrl, CONSUMERS) : undefined;
    for (const rate of RATES) {
      const r = await runStep(rate, [watcher]);
      results.push(r);
      console.error(`step ${rate}/s done: ${JSON.stringify(r)}`);
    }
    const subs: Watcher[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += 100) subs.push(...(await Promise.all(Array.from({ length: Math.min(100, SUBSCRIBERS - i) }, () => Watcher.connect(rooms.host, market.slug)))));
    const withSubs = await runStep(2_500, subs);
    results.push(withSubs);
    for (const s of [...subs, watcher, ...traders, echo]) s.close();

    const head = ["offered/s", "subscribers", "commands sent", "acked ok", "durable orders/s", "p50 ack ms", "p99 ack ms", "no-batch answer p50 / p99 ms", "fills/s", "p99 tick ms", "updates/s per subscriber", "bytes per update", "retryable", "refused busy", "client loop p99 ms"];
    const rows = results.map((r) => [r.offered, r.subscribers, r.sent, r.acked, r.durable, r.p50.toFixed(1), r.p99.toFixed(1), `${r.echo[0].toFixed(1)} / ${r.echo[1].toFixed(1)}`, r.fills, Number.isNaN(r.tickP99) ? "-" : r.tickP99.toFixed(0), r.msgsPerSub.toFixed(1), Math.round(r.bytesPerMsg), r.retry, r.busy, r.loopP99.toFixed(0)].map(String));
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (c: string[]) => `| ${c.map((x, i) => x.padStart(w[i]!)).join(" | ")} |`;
    console.log(`\nbench:market: one room, ${PLAYERS} trading sockets, ${STEP_S}s per step, ${PRICE_ALERTS} price alerts, ${LIMITS ? "trading limits on" : "no trading limits"}, ${CONSUMERS.length ? `feed consumers every second (${CONSUMERS.join(", ")})` : "no feed consumers"}, ${TRACE ? `tracing on (${TRACE_RATIO * 100}% sampled)` : "tracing off"}, Postgres ${base.host}`);
    console.log(`${HOST}; ${checkpointed}\n`);
    console.log(line(head));
    console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
    for (const r of rows) console.log(line(r));
    // Per step: the batches' size and where their time went (mean and p99 ms per phase).
    console.log(`\nwhere a batch's time goes (ms, mean / p99; size in commands)\n`);
    const phead = ["offered/s", "subs", "batches", "one statement", "missed", "size", ...PHASES, "total"];
    const cell = (x: { mean: number; p99: number }) => `${x.mean.toFixed(1)}/${x.p99.toFixed(1)}`;
    const prow = results.map((r) => [String(r.offered), String(r.subscribers), String(r.profile?.batches ?? "-"), String(r.profile?.guessed ?? "-"), String(r.profile?.misses ?? "-"), r.profile ? cell(r.profile.size) : "-",
      ...PHASES.map((p) => (r.profile ? cell(r.profile.phases[p]) : "-")), r.profile ? cell(r.profile.total) : "-"]);
    const pw = phead.map((h, i) => Math.max(h.length, ...prow.map((row) => row[i]!.length)));
    const pline = (c: string[]) => `| ${c.map((x, i) => x.padStart(pw[i]!)).join(" | ")} |`;
    console.log(pline(phead));
    console.log(`|${pw.map((x) => "-".repeat(x + 2)).join("|")}|`);
    for (const r of prow) console.log(pline(r));
    // Per step: the cores each part used (workerd counts inside partykit's group; partykit here is its node alone).
    console.log(`\ncores used per step (${PARTS.join(" / ")}; partykit is its node without workerd)\n`);
    for (const r of results) console.log(`| ${String(r.offered).padStart(6)} | ${String(r.subscribers).padStart(5)} | ${PARTS.map((k) => (r.cpu[k] ?? NaN).toFixed(2)).join(" / ")} |`);
    // The subscriber step's tick delay, split where the room's round reached its first sampled socket (bench/market/tick-rounds.ts).
    const [b, wi] = [withSubs.tickSplit.before, withSubs.tickSplit.within];
    console.log(`\ntick delay with ${withSubs.subscribers} subscribers (ms, p50 / p99): trade to the round's first sampled socket ${b[0]} / ${b[1]} (plan, write, publish, coalescing); within the round ${wi[0]} / ${wi[1]} (place in the round, client)`);
    if (push) {
      // Alert created_at (the batch's clock) to the local push service's receipt, per step (bench/market/push.ts).
      console.log(`\ncommit-to-push delay (ms): alerts created in the step, pushed through the in-process drain the room nudges\n`);
      console.log(pushTable(results.map((r) => ({ offered: r.offered, subscribers: r.subscribers, push: r.push! }))));
    }
    const sustained = results.filter((r) => r.subscribers <= 1 && r.p99 < 1_000 && r.retry === 0 && r.busy === 0);
    const best = Math.max(...sustained.map((r) => r.durable), 0);
    const at2500 = results.find((r) => r.offered === 2_500 && r.subscribers <= 1);
    if (PRICE_ALERTS > 0) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const fired = await client.query<{ kind: string; n: number }>(`select kind, count(*)::int as n from alerts group by kind order by kind`);
      await client.end();
      console.log(`alerts written: ${fired.rows.map((r) => `${r.kind} ${r.n}`).join(", ")}`);
    }
    if (consumers) console.log(`feed consumers (${CONSUMERS.join(", ")}) every second: ${await consumers.stop()}`);
    if (otlp) {
      await new Promise((r) => setTimeout(r, 1_000)); // the room's last export
      const names = new Map<string, number>();
      for (const span of otlp.spans) names.set(span.name.split(" ")[0]!, (names.get(span.name.split(" ")[0]!) ?? 0) + 1);
      console.log(`tracing: ${otlp.spans.length} spans in ${otlp.posts} OTLP posts (${[...names].map(([k, v]) => `${k} ${v}`).join(", ")}), ${new Set(otlp.spans.map((x) => x.traceId)).size} traces`);
    }
    console.log(`market_orders_per_s=${best} p99_ack_ms=${at2500 ? at2500.p99.toFixed(1) : "NaN"} subscribers=${withSubs.subscribers} p99_tick_ms=${withSubs.tickP99.toFixed(0)}`);
  } finally {
    await rooms.stop();
    await otlp?.stop();
    await push?.close();
    await db.close();
  }
}

await main();
