/**
 * `npm run bench:live`: the market page on a phone while its market trades. What a trader feels on
 * a hot market: the book, the tape and the chart move many times a second, and the ticket must
 * still answer a tap at once.
 *
 * The stack is started like the e2e suite's (tests/e2e/stack.ts) with the e2e market fixture
 * (candles, trades, a book); two players of the bench's own trade iron ore through the market room
 * at BENCH_LIVE_RATE commands a second (default 20): half crossing pairs at the last price (a
 * trade each), half resting orders away from the spread, cancelled again (the book moves). The page
 * is Lighthouse's phone (412x823 CSS px at 1.75 device pixels, touch) signed in as alice, with
 * Chromium's CPU slowed BENCH_LIVE_CPU times (default 4, as Lighthouse). During a window of
 * BENCH_LIVE_SECONDS (default 15) after the load has run for 2 s, the bench taps the ticket's
 * "increase price" button every 250 ms and reads Chromium's own counts:
 * - feed frames a second: WebSocket messages the page received (its sockets, counted by a script
 *   the bench adds), so that runs compare like with like;
 * - main thread busy: CDP Performance.getMetrics TaskDuration over the window, a share of it, and
 *   of that, script (ScriptDuration) and style and layout (RecalcStyleDuration + LayoutDuration);
 * - long tasks (over 50 ms) a second, their blocking time (each one's time over 50 ms) a second, and the longest;
 * - tap latency: Event Timing's duration of each tap (input to the next paint, as INP counts it;
 *   Chromium rounds to 8 ms), p50, p95 and max over the window's taps.
 * BENCH_LIVE_PROFILE=<file>: each window's V8 CPU profile is written there (the last run's stays);
 * BENCH_LIVE_TRACE=<file>: likewise Chromium's trace of the window (DevTools' Performance panel).
 * Runs: BENCH_LIVE_RUNS (default 3), each a fresh page; the table gives each run and the median.
 * Ports: BENCH_LIVE_PORT (17871), BENCH_LIVE_PARTY_PORT (17872), BENCH_LIVE_WS_PROXY_PORT (17873).
 * Last line: `live_busy_pct=<n> live_blocking_ms_per_s=<n> live_tap_p95_ms=<n>` (medians).
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { chromium, type Page } from "playwright-core";
import { rows, withTx, type Db } from "../db/db";
import * as ledger from "../db/ledger";
import { issueToken } from "../party/tokens";
import { marketFixture } from "../tests/e2e/harness";
import { CHROMIUM, CHROMIUM_ARGS, startBrowserStack } from "../tests/e2e/stack";
import { addPlayer } from "../tests/support/world";
import { hostLine } from "./lib/host";
import { sessionCookie } from "./lib/web-session";
import { Trader } from "./market/trader";
import type { Answer } from "../party/settlement/types";

const CPU = Number(process.env.BENCH_LIVE_CPU ?? 4);
const RATE = Number(process.env.BENCH_LIVE_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 15);
const RUNS = Number(process.env.BENCH_LIVE_RUNS ?? 3);
const TAP_EVERY_MS = 250;
const HOST = hostLine();

interface Run {
  framesPerS: number;
  busyPct: number;
  /** Of the busy time: script, and style and layout (Chromium's ScriptDuration, RecalcStyleDuration + LayoutDuration). */
  scriptPct: number;
  layoutPct: number;
  longPerS: number;
  blockingPerS: number;
  longest: number;
  taps: number[];
}

const q = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const median = (xs: number[]) => q(xs, 0.5);

/** Two funded players of the bench's own (not alice, whose page is watched: no fills of hers). */
async function livePlayers(db: Db): Promise<string[]> {
  const [iron] = await rows<{ id: number }>(db, sql`select id from item_types where slug = 'iron-ore'`);
  if (!iron) throw new Error("bench:live: no iron-ore item type in the seed");
  const players = [await addPlayer(db, "live_seller"), await addPlayer(db, "live_buyer")];
  await withTx(db, async (tx) => {
    for (const p of players) {
      await ledger.mint(tx, { actor: "bench" }, { playerId: p, asset: ledger.CURRENCY, amount: 1_000_000_000 });
      await ledger.mint(tx, { actor: "bench" }, { playerId: p, asset: iron.id, amount: 1_000_000 });
    }
  });
  return players;
}

/** The market's flow until stopped: crossing pairs at a wandering price, and resting orders placed and cancelled. */
function startFlow(seller: Trader, buyer: Trader, run: number): () => Promise<{ ok: number; refused: Record<string, number> }> {
  let price = 125;
  let n = 0;
  let stopped = false;
  // Client order ids are idempotency keys: a run that reused the last run's would place nothing.
  const id = (kind: string, k: number) => `live${run}-${kind}${k}`;
  const resting: Array<{ t: Trader; id: string }> = [];
  const pending: Promise<unknown>[] = [];
  const answers = { ok: 0, refused: {} as Record<string, number> };
  const count = (a: Answer) => {
    if (a.ok) answers.ok++;
    else answers.refused[a.reason ?? String(a.code)] = (answers.refused[a.reason ?? String(a.code)] ?? 0) + 1;
    return a;
  };
  const tick = () => {
    if (stopped) return;
    const k = n++;
    if (k % 2 === 0) {
      price = Math.min(135, Math.max(115, price + (Math.random() < 0.5 ? -1 : 1)));
      const quantity = 10 * (1 + (k % 3)); // iron ore trades in lots of 10
      pending.push(seller.send({ type: "place", clientOrderId: id("s", k), side: "sell", orderType: "limit", price, quantity }).then(count));
      pending.push(buyer.send({ type: "place", clientOrderId: id("b", k), side: "buy", orderType: "limit", price, quantity, timeInForce: "IOC" }).then(count));
    } else if (resting.length > 20) {
      const o = resting.shift()!;
      pending.push(o.t.send({ type: "cancel", orderId: o.id }).then(count));
    } else {
      const buy = k % 4 === 1;
      const t = buy ? buyer : seller;
      const p = buy ? 100 + (k % 13) : 137 + (k % 13);
      pending.push(t.send({ type: "place", clientOrderId: id("r", k), side: buy ? "buy" : "sell", orderType: "limit", price: p, quantity: 10 * (1 + (k % 5)) }).then(count).then((a) => {
        if (a.ok && a.order?.status === "open") resting.push({ t, id: a.order.id });
      }));
    }
  };
  const timer = setInterval(tick, 1_000 / RATE);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await Promise.all(pending);
    return answers;
  };
}

async function measure(page: Page, seconds: number): Promise<Run> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const frames = () => page.evaluate(() => (window as unknown as { __frames: number }).__frames);
  const task = async () => {
    const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: Array<{ name: string; value: number }> };
    const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
    return { task: get("TaskDuration"), script: get("ScriptDuration"), layout: get("LayoutDuration") + get("RecalcStyleDuration") };
  };
  const plus = page.locator('button[aria-label^="Increase price"]').first();
  const box = await plus.boundingBox();
  if (!box) throw new Error("bench:live: the ticket's increase-price button is not on the page");
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.evaluate(() => {
    const w = window as unknown as { __live: { long: number[][]; taps: Map<number, number> } };
    w.__live = { long: [], taps: new Map() };
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__live.long.push([e.startTime, e.duration]);
    }).observe({ type: "longtask" });
    new PerformanceObserver((l) => {
      for (const e of l.getEntries() as Array<PerformanceEventTiming & { interactionId?: number }>) {
        if (!e.interactionId) continue;
        w.__live.taps.set(e.interactionId, Math.max(w.__live.taps.get(e.interactionId) ?? 0, e.duration));
      }
    }).observe({ type: "event", durationThreshold: 16, buffered: false } as PerformanceObserverInit);
  });
  // BENCH_LIVE_PROFILE=<file>: V8's sampling profile of the window (.cpuprofile, for DevTools).
  const profile = process.env.BENCH_LIVE_PROFILE;
  if (profile) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  // BENCH_LIVE_TRACE=<file>: Chromium's trace of the window (DevTools' Performance panel opens it).
  const trace = process.env.BENCH_LIVE_TRACE;
  if (trace) await page.context().browser()!.startTracing(page, { path: trace, categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink", "cc", "gpu"] });
  const t0 = performance.now();
  const busy0 = await task();
  const frames0 = await frames();
  let taps = 0;
  while (performance.now() - t0 < seconds * 1000) {
    await page.mouse.click(x, y);
    taps++;
    await new Promise((r) => setTimeout(r, TAP_EVERY_MS));
  }
  const busy1 = await task();
  const busy = busy1.task - busy0.task;
  const framesIn = (await frames()) - frames0;
  if (trace) await page.context().browser()!.stopTracing();
  if (profile) writeFileSync(profile, JSON.stringify((await cdp.send("Profiler.stop")).profile));
  const elapsed = (performance.now() - t0) / 1000;
  const got = await page.evaluate(() => {
    const w = window as unknown as { __live: { long: number[][]; taps: Map<number, number> } };
    return { long: w.__live.long, taps: [...w.__live.taps.values()] };
  });
  await cdp.detach();
  // Taps faster than 16 ms are not reported by Event Timing: count them as 16 so that p50 is honest.
  const tapTimes = [...got.taps, ...Array.from({ length: Math.max(0, taps - got.taps.length) }, () => 16)];
  return {
    framesPerS: framesIn / elapsed,
    busyPct: (busy / elapsed) * 100,
    scriptPct: ((busy1.script - busy0.script) / elapsed) * 100,
    layoutPct: ((busy1.layout - busy0.layout) / elapsed) * 100,
    longPerS: got.long.length / elapsed,
    blockingPerS: got.long.reduce((a, [, d]) => a + Math.max(0, d! - 50), 0) / elapsed,
    longest: Math.max(0, ...got.long.map(([, d]) => d!)),
    taps: tapTimes,
  };
}

const roomSecret = randomBytes(32).toString("hex");
let players: string[] = [];
const ports = { web: Number(process.env.BENCH_LIVE_PORT ?? 17871), party: Number(process.env.BENCH_LIVE_PARTY_PORT ?? 17872), wsProxy: Number(process.env.BENCH_LIVE_WS_PROXY_PORT ?? 17873) };
const stack = await startBrowserStack("bench-live", ports, async (db) => void (players = await livePlayers(db)), { ROOM_SECRET: roomSecret });
let exitCode = 0;
try {
  await marketFixture(stack.url, stack.databaseUrl);
  const cookie = await sessionCookie(stack.url, "alice");
  const partyHost = `127.0.0.1:${ports.party}`;
  const [seller, buyer] = await Promise.all(players.map(async (p) => Trader.connect(partyHost, "iron-ore", await issueToken(roomSecret, "player", p, 3600), p)));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const runs: Run[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true, serviceWorkers: "block" });
      const [name, value] = [cookie.slice(0, cookie.indexOf("=")), cookie.slice(cookie.indexOf("=") + 1)];
      await context.addCookies([{ name, value, url: stack.url }]);
      const page = await context.newPage();
      // Every socket's messages, counted (the feed's updates reach the page as WebSocket messages).
      await page.addInitScript(() => {
        const w = window as unknown as { __frames: number; WebSocket: typeof WebSocket };
        w.__frames = 0;
        const Base = w.WebSocket;
        w.WebSocket = class extends Base {
          constructor(...args: ConstructorParameters<typeof WebSocket>) {
            super(...args);
            this.addEventListener("message", () => void w.__frames++);
          }
        };
      });
      const cdp = await context.newCDPSession(page);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU });
      await page.goto(`${stack.url}/markets/iron-ore`, { waitUntil: "load" });
      await page.locator('[data-connection="live"]').first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(3_000);
      const stop = startFlow(seller!, buyer!, i);
      await page.waitForTimeout(2_000);
      const run = await measure(page, SECONDS);
      const answers = await stop();
      runs.push(run);
      console.error(`run ${i + 1}: ${JSON.stringify({ ...run, taps: run.taps.length, answers })}`);
      await context.close();
    }
  } finally {
    await browser.close();
    for (const t of [seller, buyer]) t?.close();
  }
  const f = (x: number, d = 0) => (Number.isNaN(x) ? "-" : x.toFixed(d));
  console.log(`\nbench:live: the market page on a phone (412x823 at 1.75, CPU ${CPU}x) while iron ore trades at ${RATE} commands/s; ${SECONDS} s windows, a tap on the ticket every ${TAP_EVERY_MS} ms`);
  console.log(`${HOST}\n`);
  console.log("  run    | feed frames/s | main thread busy % (script / style+layout) | long tasks/s | blocking ms/s | longest task ms | taps | tap ms p50 / p95 / max");
  console.log("  -------+---------------+--------------------------------------------+--------------+---------------+-----------------+------+-----------------------");
  const line = (label: string, r: Omit<Run, "taps"> & { taps: number[] }) =>
    console.log(`  ${label.padEnd(6)} | ${f(r.framesPerS, 1).padStart(13)} | ${`${f(r.busyPct)} (${f(r.scriptPct)} / ${f(r.layoutPct)})`.padStart(42)} | ${f(r.longPerS, 1).padStart(12)} | ${f(r.blockingPerS).padStart(13)} | ${f(r.longest).padStart(15)} | ${String(r.taps.length).padStart(4)} | ${f(q(r.taps, 0.5))} / ${f(q(r.taps, 0.95))} / ${f(Math.max(...r.taps))}`);
  runs.forEach((r, i) => line(String(i + 1), r));
  const m = (k: keyof Omit<Run, "taps">) => median(runs.map((r) => r[k]));
  const tapP95 = median(runs.map((r) => q(r.taps, 0.95)));
  console.log(`  median | ${f(m("framesPerS"), 1).padStart(13)} | ${`${f(m("busyPct"))} (${f(m("scriptPct"))} / ${f(m("layoutPct"))})`.padStart(42)} | ${f(m("longPerS"), 1).padStart(12)} | ${f(m("blockingPerS")).padStart(13)} | ${f(m("longest")).padStart(15)} |      | p95 ${f(tapP95)}`);
  console.log(`live_busy_pct=${f(m("busyPct"))} live_blocking_ms_per_s=${f(m("blockingPerS"))} live_tap_p95_ms=${f(tapP95)}`);
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);
