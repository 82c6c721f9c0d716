/**
 * `npm run bench:chart`: what the market page's price chart costs a phone's main thread, measured
 * in Chromium on the built chart-lib chunk (the code players download; `npm run build` runs first
 * when build/client has none).
 *
 * The page is the phone of Lighthouse's mobile preset (412x823 CSS px at 1.75 device pixels, the
 * chart 260 px high as on the market page) with Chromium's CPU slowed BENCH_CHART_CPU times
 * (default 4, as Lighthouse). Main-thread time is Chromium's own count (CDP Performance.getMetrics:
 * TaskDuration, ScriptDuration, LayoutDuration) over each phase:
 * - **mount**: the chart made, 200 five-minute candles and every indicator (SMA 20, EMA 50, VWAP,
 *   Bollinger 20/2) set, until two frames after (the first frame is drawn);
 * - **live**: BENCH_CHART_TRADES (default 100) live trades, one per frame, each moving the last
 *   candle and redrawing the indicators, as a hot market's feed does (per trade).
 * After the trades, each indicator line's points in the library must equal the ones last computed
 * (the live path's point updates add up to a full draw), or the bench fails.
 * Runs: BENCH_CHART_RUNS (default 3), each in a fresh page; the table gives each run and the median.
 * BENCH_CHART_PROFILE=1 also prints the functions with the most self time during the mount (V8's
 * sampling profiler at 100 us; the chunk is minified, so names are the bundle's, with line:column).
 * Last line: `chart_mount_ms=<n> chart_live_ms_per_trade=<n>` (medians, main-thread task time).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { chromium, type CDPSession, type Page } from "playwright-core";
import { repoRoot } from "../scripts/paths";
import { CHROMIUM, CHROMIUM_ARGS } from "../tests/e2e/stack";

const CPU = Number(process.env.BENCH_CHART_CPU ?? 4);
const TRADES = Number(process.env.BENCH_CHART_TRADES ?? 100);
const RUNS = Number(process.env.BENCH_CHART_RUNS ?? 3);
const client = path.join(repoRoot, "build", "client");
const assets = path.join(client, "assets");

const chunk = () => (existsSync(assets) ? readdirSync(assets).find((f) => /^chart-lib-.*\.js$/.test(f)) : undefined);
if (!chunk()) execFileSync("npm", ["run", "build", "--silent"], { cwd: repoRoot, stdio: "inherit" });
const chartLib = chunk();
if (!chartLib) throw new Error("bench:chart: no chart-lib chunk in build/client/assets after npm run build");

/**
 * The page's own script (plain JavaScript, in the page: functions written in this file would reach
 * the page wrapped in tsx's name helper, which the page does not have). `bench.mount()` draws the
 * chart; `bench.trades(n)` plays n live trades, one per frame.
 */
const SCRIPT = `
import * as lib from "/assets/${chartLib}";
const step = 300;
const start = Math.floor(Date.UTC(2026, 11, 5, 8) / 1000);
let price = 10000;
const candles = Array.from({ length: 200 }, (_, i) => {
  const open = price;
  price = Math.max(100, price + Math.round(Math.sin(i / 7) * 120 + Math.cos(i / 3) * 60));
  const volume = 50 + ((i * 37) % 200);
  return { time: start + i * step, open, high: Math.max(open, price) + 40, low: Math.min(open, price) - 40, close: price, volume, notional: volume * price };
});
const colors = { line: "#2a2f3a", up: "#22c55e", down: "#ef4444", text: "#8a96a8", font: "sans-serif" };
const volColor = (c) => (c.close >= c.open ? "rgba(34,197,94,.35)" : "rgba(239,68,68,.35)");
const prefs = { sma: { on: true, period: 20 }, ema: { on: true, period: 50 }, bb: { on: true, period: 20, width: 2 }, vwap: { on: true }, volume: { on: true } };
const frame = () => new Promise((r) => requestAnimationFrame(r));
let a, bar, seq;
window.bench = {
  async mount() {
    a = lib.mountChart(document.getElementById("host"), colors, (c) => (c / 100).toFixed(2));
    bar = { current: null };
    seq = lib.setCandles(a, bar, candles, [], volColor);
    lib.drawIndicators(a, prefs, step);
    await frame();
    await frame();
  },
  async trades(n) {
    const at = (candles[candles.length - 1].time + 60) * 1000;
    for (let i = 0; i < n; i++) {
      price += i % 2 ? 10 : -7;
      const trade = { seq: seq + 1, price, quantity: 3, takerSide: i % 2 ? "buy" : "sell", at };
      seq = lib.pushTrades(a, bar, [trade], seq, step, volColor);
      lib.drawIndicators(a, prefs, step);
      await frame();
    }
    // What the library holds must be what a full draw would set: each line's last computed points.
    for (const [key, line] of a.lines) {
      const held = JSON.stringify(line.series.data().map((d) => [d.time, d.value]));
      const want = JSON.stringify(line.points.map((p) => [p.time, p.value]));
      if (held !== want) throw new Error("indicator line " + key + " differs from its points after the live trades");
    }
    return a.lines.size;
  },
};
window.benchReady = true;
`;
const PAGE = '<!doctype html><html><head><meta name="viewport" content="width=device-width,initial-scale=1"></head>' +
  '<body style="margin:0;background:#111;font-family:sans-serif"><div style="position:relative;height:260px;margin:12px"><div id="host" style="position:absolute;inset:0"></div></div>' +
  `<script type="module">${SCRIPT}</script></body></html>`;

/** build/client on an ephemeral 127.0.0.1 port, and the bench's page at /. */
function serve(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/") return void res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    const file = path.join(client, path.normalize(url.pathname));
    if (!file.startsWith(client) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": file.endsWith(".js") ? "text/javascript" : "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() })),
  );
}

type Metrics = Record<"TaskDuration" | "ScriptDuration" | "LayoutDuration", number>;
async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: all } = (await cdp.send("Performance.getMetrics")) as { metrics: Array<{ name: string; value: number }> };
  const get = (n: string) => (all.find((m) => m.name === n)?.value ?? 0) * 1000;
  return { TaskDuration: get("TaskDuration"), ScriptDuration: get("ScriptDuration"), LayoutDuration: get("LayoutDuration") };
}
const minus = (a: Metrics, b: Metrics, per = 1): Metrics => ({
  TaskDuration: (a.TaskDuration - b.TaskDuration) / per,
  ScriptDuration: (a.ScriptDuration - b.ScriptDuration) / per,
  LayoutDuration: (a.LayoutDuration - b.LayoutDuration) / per,
});

/** One run in a fresh page: the mount's and the live trades' main-thread time. */
async function run(page: Page, cdp: CDPSession, url: string): Promise<{ mount: Metrics; live: Metrics }> {
  await page.goto(url);
  await page.waitForFunction("window.benchReady === true");
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU });
  const t0 = await metrics(cdp);
  if (PROFILE) await cdp.send("Profiler.enable").then(() => cdp.send("Profiler.setSamplingInterval", { interval: 100 })).then(() => cdp.send("Profiler.start"));
  await page.evaluate("window.bench.mount()");
  const t1 = await metrics(cdp);
  if (PROFILE) profiles.push(((await cdp.send("Profiler.stop")) as { profile: Profile }).profile);
  const lines = await page.evaluate(`window.bench.trades(${TRADES})`);
  if (lines !== 6) throw new Error(`bench:chart: ${String(lines)} indicator lines drawn, not 6 (SMA, EMA, VWAP, three Bollinger bands)`);
  const t2 = await metrics(cdp);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  return { mount: minus(t1, t0), live: minus(t2, t1, TRADES) };
}

/** BENCH_CHART_PROFILE=1: V8's sampling profile of each mount; the functions with the most self time are printed. */
const PROFILE = process.env.BENCH_CHART_PROFILE === "1";
interface Profile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}
const profiles: Profile[] = [];
/** Self time by function over all mounts' profiles (ms, per mount), the largest first. */
function selfTimes(all: Profile[], top = 15): string[] {
  const by = new Map<string, number>();
  for (const p of all) {
    const frame = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    p.samples.forEach((id, i) => {
      const f = frame.get(id)!;
      const key = `${f.functionName || "(anonymous)"} ${f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ""}`.trim();
      by.set(key, (by.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000 / all.length);
    });
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, ms]) => `  ${ms.toFixed(1).padStart(7)} ms  ${k}`);
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const server = await serve();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const rows: Array<{ mount: Metrics; live: Metrics }> = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    rows.push(await run(page, cdp, server.url));
    await context.close();
  }
  const f = (n: number) => n.toFixed(1).padStart(8);
  console.log(`\nbench:chart: ${chartLib}, 412x823 at 1.75x, CPU ${CPU}x slower, 200 candles, SMA 20 + EMA 50 + VWAP + BB 20/2 + volume, ${TRADES} live trades\n`);
  console.log("  run    | mount task ms | script | layout | live task ms/trade | script | layout");
  console.log("  -------+---------------+--------+--------+--------------------+--------+-------");
  rows.forEach((r, i) => console.log(`  ${String(i + 1).padEnd(6)} | ${f(r.mount.TaskDuration).padStart(13)} | ${f(r.mount.ScriptDuration).slice(2)} | ${f(r.mount.LayoutDuration).slice(2)} | ${f(r.live.TaskDuration).padStart(18)} | ${f(r.live.ScriptDuration).slice(2)} | ${f(r.live.LayoutDuration).slice(2)}`));
  const m = (k: "mount" | "live", key: keyof Metrics) => median(rows.map((r) => r[k][key]));
  console.log(`  median | ${f(m("mount", "TaskDuration")).padStart(13)} | ${f(m("mount", "ScriptDuration")).slice(2)} | ${f(m("mount", "LayoutDuration")).slice(2)} | ${f(m("live", "TaskDuration")).padStart(18)} | ${f(m("live", "ScriptDuration")).slice(2)} | ${f(m("live", "LayoutDuration")).slice(2)}`);
  if (PROFILE) console.log(`\nSelf time during the mount (V8 sampling profile, ms per mount, at ${CPU}x):\n${selfTimes(profiles).join("\n")}`);
  console.log(`\nchart_mount_ms=${m("mount", "TaskDuration").toFixed(1)} chart_live_ms_per_trade=${m("live", "TaskDuration").toFixed(2)}`);
} finally {
  await browser.close();
  server.close();
}
