/**
 * `npm run bench:market`: one market room (partykit dev) on the real Postgres, driven from this
 * process over WebSockets at fixed offered rates (open loop: latency is measured from the moment
 * each command was due, so a slow room cannot hide its queue), then 1,000 subscribers watching
 * during load. Mix: 55% resting limits, 20% crossing limits, 25% cancels of the player's own orders.
 * Env: DATABASE_URL (a server; a scratch database bazaar_bench is created there), BENCH_STEP_SECONDS
 * (default 20), BENCH_RATES (default 1000,2500,5000,6000,10000), BENCH_SUBSCRIBERS (default 1000).
 * After the table, a second one says where the room's batches spent their time in each step (its
 * `GET ?profile`, party/market/profile.ts): queued, BEGIN, each statement, planning, COMMIT, publish.
 */
import pg from "pg";
import { withTx } from "../db/db";
import * as ledger from "../db/ledger";
import { migrate } from "../db/migrate";
import { openPostgres } from "../db/open";
import { startRooms } from "../tests/support/rooms";
import { addMarket } from "../tests/support/market";
import { addPlayer } from "../tests/support/world";
import { issueToken } from "../party/tokens";
import { Trader } from "./market/trader";
import { PHASES, type ProfileSummary } from "../party/market/profile";

const STEP_S = Number(process.env.BENCH_STEP_SECONDS ?? 20);
const RATES = (process.env.BENCH_RATES ?? "1000,2500,5000,6000,10000").split(",").map(Number);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const PLAYERS = 100;
const base = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");

const q = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : NaN);

async function scratchDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query("drop database if exists bazaar_bench with (force)");
  await admin.query("create database bazaar_bench");
  await admin.end();
  const url = new URL(base);
  url.pathname = "/bazaar_bench";
  return url.toString();
}

interface StepResult { offered: number; sent: number; acked: number; durable: number; p50: number; p99: number; fills: number; tickP99: number; subscribers: number; retry: number; profile?: ProfileSummary }

async function main() {
  const databaseUrl = await scratchDatabase();
  const db = await openPostgres(databaseUrl, 8);
  await migrate(db);
  const market = await addMarket(db.db, { makerBps: 10, takerBps: 25 });
  const players: string[] = [];
  for (let i = 0; i < PLAYERS; i++) players.push(await addPlayer(db.db, `bench_${i}`));
  await withTx(db.db, async (tx) => {
    for (const p of players) {
      await ledger.mint(tx, { actor: "bench" }, { playerId: p, asset: ledger.CURRENCY, amount: 1_000_000_000_000 });
      await ledger.mint(tx, { actor: "bench" }, { playerId: p, asset: market.itemTypeId, amount: 1_000_000_000 });
    }
  });
  const rooms = await startRooms({ databaseUrl, port: Number(process.env.BENCH_PARTY_PORT ?? 14999), proxyPort: Number(process.env.BENCH_PROXY_PORT ?? 14989), proxyProcess: true });
  try {
    const traders = await Promise.all(players.map(async (p) => Trader.connect(rooms.host, market.slug, await issueToken(rooms.secret, "player", p, 3600), p)));
    const results: StepResult[] = [];
    let n = 0;
    // Where the room's batches spent their time during a step (read and reset through the room).
    const service = await issueToken(rooms.secret, "service", "bench", 3600);
    const profile = async (): Promise<ProfileSummary | undefined> => {
      const res = await fetch(`http://${rooms.host}/parties/main/${market.slug}?profile`, { headers: { authorization: `Bearer ${service}` } });
      return res.ok ? ((await res.json()) as ProfileSummary) : undefined;
    };
    const runStep = async (rate: number, subscribers: Trader[]): Promise<StepResult> => {
      await profile(); // start the step's profile clean
      const tickDelays: number[] = [];
      for (const s of subscribers) s.onUpdate = (u) => { const now = Date.now(); for (const t of u.trades) tickDelays.push(now - t.at); };
      const latencies: number[] = [];
      const open: string[][] = players.map(() => []);
      let sent = 0, acked = 0, answered = 0, fills = 0, retry = 0;
      const t0 = performance.now();
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
          const command = r < 0.25 && mine.length > 0
            ? { type: "cancel", orderId: mine.shift() }
            : r < 0.45
              ? { type: "place", clientOrderId: `c${n++}`, side: buy ? "buy" : "sell", orderType: "limit", price: buy ? 1_010 : 990, quantity: 1 + Math.floor(rand() * 5), timeInForce: "IOC" }
              : { type: "place", clientOrderId: `c${n++}`, side: buy ? "buy" : "sell", orderType: "limit", price: buy ? 990 - Math.floor(rand() * 20) : 1_010 + Math.floor(rand() * 20), quantity: 1 + Math.floor(rand() * 10) };
          pending.push(trader.send(command).then((a) => {
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
      await Promise.all(pending);
      const seconds = (performance.now() - t0) / 1000;
      for (const s of subscribers) s.onUpdate = undefined;
      return { offered: rate, sent, acked, durable: Math.round(answered / seconds), p50: q(latencies, 0.5), p99: q(latencies, 0.99), fills: Math.round(fills / seconds), tickP99: q(tickDelays, 0.99), subscribers: subscribers.length, retry, profile: await profile() };
    };
    // One watcher for tick delivery in the plain steps.
    const watcher = await Trader.connect(rooms.host, market.slug);
    await runStep(500, [watcher]); // warm-up, not reported
    for (const rate of RATES) {
      const r = await runStep(rate, [watcher]);
      results.push(r);
      console.error(`step ${rate}/s done: ${JSON.stringify(r)}`);
    }
    const subs: Trader[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += 100) subs.push(...(await Promise.all(Array.from({ length: Math.min(100, SUBSCRIBERS - i) }, () => Trader.connect(rooms.host, market.slug)))));
    const withSubs = await runStep(2_500, subs);
    results.push(withSubs);
    for (const s of [...subs, watcher, ...traders]) s.close();

    const head = ["offered/s", "subscribers", "commands sent", "acked ok", "durable orders/s", "p50 ack ms", "p99 ack ms", "fills/s", "p99 tick ms", "retryable"];
    const rows = results.map((r) => [r.offered, r.subscribers, r.sent, r.acked, r.durable, r.p50.toFixed(1), r.p99.toFixed(1), r.fills, Number.isNaN(r.tickP99) ? "-" : r.tickP99.toFixed(0), r.retry].map(String));
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (c: string[]) => `| ${c.map((x, i) => x.padStart(w[i]!)).join(" | ")} |`;
    console.log(`\nbench:market: one room, ${PLAYERS} trading sockets, ${STEP_S}s per step, Postgres ${base.host}\n`);
    console.log(line(head));
    console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
    for (const r of rows) console.log(line(r));
    // Per step: the batches' size and where their time went (mean and p99 ms per phase).
    console.log(`\nwhere a batch's time goes (ms, mean / p99; size in commands)\n`);
    const phead = ["offered/s", "subs", "batches", "size", ...PHASES, "total"];
    const cell = (x: { mean: number; p99: number }) => `${x.mean.toFixed(1)}/${x.p99.toFixed(1)}`;
    const prow = results.map((r) => [String(r.offered), String(r.subscribers), String(r.profile?.batches ?? "-"), r.profile ? cell(r.profile.size) : "-",
      ...PHASES.map((p) => (r.profile ? cell(r.profile.phases[p]) : "-")), r.profile ? cell(r.profile.total) : "-"]);
    const pw = phead.map((h, i) => Math.max(h.length, ...prow.map((row) => row[i]!.length)));
    const pline = (c: string[]) => `| ${c.map((x, i) => x.padStart(pw[i]!)).join(" | ")} |`;
    console.log(pline(phead));
    console.log(`|${pw.map((x) => "-".repeat(x + 2)).join("|")}|`);
    for (const r of prow) console.log(pline(r));
    const sustained = results.filter((r) => r.subscribers <= 1 && r.p99 < 1_000 && r.retry === 0);
    const best = Math.max(...sustained.map((r) => r.durable), 0);
    const at2500 = results.find((r) => r.offered === 2_500 && r.subscribers <= 1);
    console.log(`market_orders_per_s=${best} p99_ack_ms=${at2500 ? at2500.p99.toFixed(1) : "NaN"} subscribers=${withSubs.subscribers} p99_tick_ms=${withSubs.tickP99.toFixed(0)}`);
  } finally {
    await rooms.stop();
    await db.close();
  }
}

await main();
