/**
 * `npm run bench:web`: Lighthouse 12.8.2 (mobile preset: Moto G power-class viewport, simulated
 * slow 4G and 4x CPU slowdown) on the running app's home, inventory and a market page, signed in
 * (the session cookie goes in as an extra header), plus the gzipped JavaScript the market page
 * loads, recorded in a real browser.
 *
 * The stack is started like the e2e suite's (tests/e2e/stack.ts: fresh database on the real
 * Postgres, wrangler dev + partykit dev) on BENCH_WEB_PORT / BENCH_WEB_PARTY_PORT /
 * BENCH_WEB_WS_PROXY_PORT, and stopped by PID at the end.
 *
 * BENCH_WEB_THROTTLING=devtools: Lighthouse applies the throttling while loading instead of simulating it.
 * Lighthouse's trace of each page is kept in .data/bench-web/<page>-0.trace.json (with its DevTools log).
 * Each page's main-thread time by kind and its five longest tasks are printed under the table, then
 * its renderer main thread from the trace: the tasks' wall time, the thread's CPU time in them, and
 * the blocking time if each task took 4x its CPU (bench/lib/main-thread.ts): the page's own cost,
 * without the waits of a host that scores wall time.
 * BENCH_WEB_MARKET=traded (default): before the runs, the market page's market gets what a player
 * finds in a live one: 16 hours of 5-minute candles, today's trades, a book on both sides and the
 * signed-in player's open orders (tests/e2e/harness.ts marketFixture, as the e2e suite's market).
 * `empty`: the freshly seeded market (no trades, an empty chart), as measured before 2026-12-05 19:00.
 * Pages: BENCH_WEB_PAGES (default home,inventory,market,dashboard; also leaderboards, economy, and
 * `floor`: a page of text with no script or style, served by the bench itself, so the score says
 * what Lighthouse and this browser on this host cost before any of Bazaar's work).
 * Last line: `lighthouse_perf=<n> a11y=<n> best=<n> market_js_gz_kb=<n> dashboard_perf=<n>` (worst of
 * home, inventory and market for each score, then each other page's performance; market_js_gz_kb =
 * first-load JS: everything fetched before the load event).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { repoRoot } from "../scripts/paths";
import { marketFixture } from "../tests/e2e/harness";
import { CHROMIUM, CHROMIUM_ARGS, startBrowserStack } from "../tests/e2e/stack";
import { hostLine } from "./lib/host";
import { mainThreadTime, type TraceEvent } from "./lib/main-thread";
import { sessionCookie } from "./lib/web-session";

const outDir = path.join(repoRoot, ".data", "bench-web");
mkdirSync(outDir, { recursive: true });
/** Measured before anything of the bench starts (bench/lib/host.ts). */
const HOST = hostLine();
/** The `floor` page's marker: served by {@link floorServer}, not by the app. */
const FLOOR = "floor:";
const FLOOR_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
  "<title>Floor</title><meta name=\"description\" content=\"A page with no script\"></head><body><h1>Iron Ore</h1><p>1.27 gold</p></body></html>";

/** Serves the floor page on an ephemeral 127.0.0.1 port; closed with the stack. */
function floorServer(): Promise<{ url: string; close: () => void }> {
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(FLOOR_HTML));
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => server.close() });
    }),
  );
}

const ALL_PAGES: Record<string, string> = {
  home: "/",
  inventory: "/inventory",
  market: "/markets/iron-ore",
  dashboard: "/dashboard",
  leaderboards: "/leaderboards",
  economy: "/economy",
  floor: FLOOR,
};
/** BENCH_WEB_PAGES: which pages (default home, inventory, market and the trader's dashboard). */
const PAGES: Array<[string, string]> = (process.env.BENCH_WEB_PAGES ?? "home,inventory,market,dashboard").split(",").map((name) => {
  const p = ALL_PAGES[name];
  if (!p) throw new Error(`BENCH_WEB_PAGES: ${name} is not one of ${Object.keys(ALL_PAGES).join(", ")}`);
  return [name, p];
});
const MARKET = process.env.BENCH_WEB_MARKET ?? "traded";
if (MARKET !== "traded" && MARKET !== "empty") throw new Error(`BENCH_WEB_MARKET: ${MARKET} is not traded or empty`);
const THROTTLING = process.env.BENCH_WEB_THROTTLING ?? "simulate";
if (THROTTLING !== "simulate" && THROTTLING !== "devtools") throw new Error(`BENCH_WEB_THROTTLING: ${THROTTLING} is not simulate or devtools`);
/** The pages issue 15's goal names; the headline's worst scores are over these when they ran. */
const HEADLINE = new Set(["home", "inventory", "market"]);

/** Runs a command; its stderr is passed through and kept (to tell a tool's flake from a page's failure). */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/**
 * Lighthouse's own recording failures (NO_NAVSTART, NO_FCP on a page that painted): the trace was
 * lost, not the page slow. Such a run is tried again, at most twice, saying so; any other failure ends the bench.
 */
const TRACE_LOST = /NO_NAVSTART|Something went wrong with recording the trace/;

interface Scores {
  perf: number;
  a11y: number;
  best: number;
  lcp: number;
  tbt: number;
  cls: number;
  failing: string[];
  /** Main-thread time by kind (Lighthouse's mainthread-work-breakdown), ms as Lighthouse reports them. */
  work: Array<[string, number]>;
  /** The longest main-thread tasks: start and duration, ms, and the script Lighthouse attributes each to. */
  longTasks: Array<{ start: number; duration: number; url: string }>;
}

async function lighthouse(url: string, cookie: string, name: string): Promise<Scores> {
  const out = path.join(outDir, `${name}.json`);
  const headers = path.join(outDir, "headers.json");
  writeFileSync(headers, JSON.stringify({ Cookie: cookie }));
  const lighthouseOnce = () => run(process.execPath, lighthouseArgs(url, out, headers), { CHROME_PATH: CHROMIUM });
  let attempt = 0;
  let ran: { code: number; stderr: string };
  for (;;) {
    ran = await lighthouseOnce();
    if (ran.code === 0 || !TRACE_LOST.test(ran.stderr) || ++attempt > 2) break;
    console.log(`(lighthouse lost its trace on ${url}; run again, attempt ${attempt + 1} of 3)`);
  }
  if (ran.code !== 0) throw new Error(`lighthouse exited with ${ran.code} on ${url}`);
  return readScores(out);
}

function lighthouseArgs(url: string, out: string, headers: string): string[] {
  return [
    path.join(repoRoot, "node_modules", "lighthouse", "cli", "index.js"),
    url,
    "--quiet",
    "--output=json",
    `--output-path=${out}`,
    "--only-categories=performance,accessibility,best-practices",
    `--extra-headers=${headers}`,
    `--chrome-flags=${CHROMIUM_ARGS.join(" ")}`,
    "--max-wait-for-load=45000",
    // BENCH_WEB_THROTTLING=devtools: Lighthouse's other method (real 4x CPU and network throttling
    // while loading) instead of its default simulation from an unthrottled load; a second opinion
    // on hosts where the simulation's total blocking time differs from a throttled browser's.
    ...(THROTTLING === "devtools" ? ["--throttling-method=devtools"] : []),
    // Lighthouse's trace and DevTools log beside each report (<page>-0.trace.json): the main-thread table reads the trace.
    "--save-assets",
  ];
}

function readScores(out: string): Scores {
  const report = JSON.parse(readFileSync(out, "utf8")) as {
    categories: Record<string, { score: number; auditRefs: Array<{ id: string; weight: number }> }>;
    audits: Record<string, { score: number | null; numericValue?: number; title: string; scoreDisplayMode: string; details?: { items?: Array<Record<string, unknown>> } }>;
  };
  const items = (id: string) => report.audits[id]?.details?.items ?? [];
  const score = (k: string) => Math.round(report.categories[k]!.score * 100);
  const failing = Object.values(report.categories)
    .flatMap((c) => c.auditRefs.filter((r) => r.weight > 0).map((r) => r.id))
    .filter((id) => {
      const a = report.audits[id]!;
      return a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "notApplicable";
    });
  return {
    perf: score("performance"),
    a11y: score("accessibility"),
    best: score("best-practices"),
    lcp: report.audits["largest-contentful-paint"]!.numericValue ?? 0,
    tbt: report.audits["total-blocking-time"]!.numericValue ?? 0,
    cls: report.audits["cumulative-layout-shift"]!.numericValue ?? 0,
    failing,
    work: items("mainthread-work-breakdown").map((i) => [String(i.groupLabel ?? i.group), Number(i.duration)] as [string, number]),
    longTasks: items("long-tasks")
      .map((i) => ({ start: Number(i.startTime), duration: Number(i.duration), url: String(i.url ?? "") }))
      .sort((a, b) => b.duration - a.duration)
      .slice(0, 5),
  };
}

/** JS the market page fetches: before the load event (first load) and after it (lazy chunks). */
async function marketJs(url: string, cookie: string) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: "block" });
    const [name, value] = [cookie.slice(0, cookie.indexOf("=")), cookie.slice(cookie.indexOf("=") + 1)];
    await context.addCookies([{ name, value, url }]);
    const page = await context.newPage();
    const seen: Array<{ url: string; gz: number; raw: number; lazy: boolean }> = [];
    let loaded = false;
    const pending: Promise<void>[] = [];
    page.on("response", (r) => {
      if (r.request().resourceType() !== "script") return;
      const lazy = loaded;
      pending.push(
        r.body().then((b) => void seen.push({ url: new URL(r.url()).pathname, raw: b.length, gz: gzipSync(b, { level: 9 }).length, lazy })).catch(() => undefined),
      );
    });
    await page.goto(url, { waitUntil: "load" });
    loaded = true;
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(1_500);
    await Promise.all(pending);
    return seen;
  } finally {
    await browser.close();
  }
}

const t0 = performance.now();
const stack = await startBrowserStack("bench-web", {
  web: Number(process.env.BENCH_WEB_PORT ?? 17881),
  party: Number(process.env.BENCH_WEB_PARTY_PORT ?? 17882),
  wsProxy: Number(process.env.BENCH_WEB_WS_PROXY_PORT ?? 17883),
});
let exitCode = 0;
try {
  console.log(`stack up at ${stack.url} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (MARKET === "traded") await marketFixture(stack.url, stack.databaseUrl);
  const cookie = await sessionCookie(stack.url, "alice");
  // Warm each page once (worker isolate, room start-up), as a returning player would find them.
  for (const [, p] of PAGES) if (p !== FLOOR) await fetch(stack.url + p, { headers: { Cookie: cookie } }).then((r) => r.arrayBuffer());
  const floor = PAGES.some(([, p]) => p === FLOOR) ? await floorServer() : undefined;

  const rows: Array<[string, Scores]> = [];
  for (const [name, p] of PAGES) {
    process.stdout.write(`lighthouse ${name} (${p}) ... `);
    const s = await lighthouse(p === FLOOR ? floor!.url : stack.url + p, cookie, name);
    rows.push([name, s]);
    console.log(`perf ${s.perf} a11y ${s.a11y} best ${s.best}`);
  }
  floor?.close();
  const js = await marketJs(`${stack.url}/markets/iron-ore`, cookie);
  const kb = (n: number) => (n / 1024).toFixed(1);
  const first = js.filter((j) => !j.lazy);
  const lazy = js.filter((j) => j.lazy);
  const firstGz = first.reduce((s, j) => s + j.gz, 0);
  const lazyGz = lazy.reduce((s, j) => s + j.gz, 0);

  console.log(`\nLighthouse 12.8.2, mobile preset (${THROTTLING === "devtools" ? "devtools throttling: slow 4G and 4x CPU applied while loading" : "simulated slow 4G, 4x CPU"}), signed in as a demo player, ${MARKET === "traded" ? "a traded market (candles, trades, book, open orders)" : "an empty market"}`);
  console.log(`${HOST}\n`);
  console.log("  page       | perf | a11y | best | LCP ms | TBT ms | CLS   | audits below 0.9");
  console.log("  -----------+------+------+------+--------+--------+-------+-----------------");
  for (const [name, s] of rows) {
    console.log(
      `  ${name.padEnd(10)} | ${String(s.perf).padStart(4)} | ${String(s.a11y).padStart(4)} | ${String(s.best).padStart(4)} | ${String(Math.round(s.lcp)).padStart(6)} | ${String(Math.round(s.tbt)).padStart(6)} | ${s.cls.toFixed(3)} | ${s.failing.join(", ") || "-"}`,
    );
  }
  // Where each page's main-thread time goes, and its longest tasks (simulated times, as scored).
  console.log("\nMain thread, by kind (ms), and the longest tasks (start ms +duration ms, attributed script)\n");
  for (const [name, s] of rows) {
    console.log(`  ${name.padEnd(10)} ${s.work.map(([k, v]) => `${k} ${Math.round(v)}`).join(" · ")}`);
    const at = (u: string) => (u.startsWith("http") ? new URL(u).pathname.split("/").pop() || new URL(u).pathname : u) || "-";
    console.log(`  ${"".padEnd(10)} ${s.longTasks.map((t) => `${Math.round(t.start)} +${Math.round(t.duration)} ${at(t.url)}`).join(" · ") || "no long tasks"}`);
  }
  console.log("\nRenderer main thread, from each page's trace (ms): its tasks' wall time (what Lighthouse scores, x4), the thread's");
  console.log("CPU time in them, and the blocking time if each task took 4x its CPU (the page's own work, without the host's waits)\n");
  for (const [name] of rows) {
    let events: TraceEvent[];
    try {
      events = (JSON.parse(readFileSync(path.join(outDir, `${name}-0.trace.json`), "utf8")) as { traceEvents: TraceEvent[] }).traceEvents;
    } catch (error) {
      console.log(`  ${name.padEnd(10)} no trace (${(error as Error).message})`);
      continue;
    }
    const m = mainThreadTime(events);
    console.log(`  ${name.padEnd(10)} tasks ${Math.round(m.wallMs)} · CPU ${Math.round(m.cpuMs)} (${Math.round((100 * m.cpuMs) / Math.max(1, m.wallMs))}%) · blocking at 4x CPU ${Math.round(m.blockingAt4xCpuMs)}`);
  }
  console.log("\nMarket page JavaScript (gzip -9 of each script as served)\n");
  for (const j of [...first, ...lazy]) console.log(`  ${j.lazy ? "lazy " : "first"}  ${kb(j.gz).padStart(6)} KB gz  ${kb(j.raw).padStart(7)} KB raw  ${j.url}`);
  console.log(`\n  first load (before the load event): ${kb(firstGz)} KB gz in ${first.length} files`);
  console.log(`  after load (feed socket, service worker client; a phone fetches the chart library once scrolled to it): ${kb(lazyGz)} KB gz in ${lazy.length} files; total ${kb(firstGz + lazyGz)} KB gz\n`);
  const headline = rows.some(([name]) => HEADLINE.has(name)) ? rows.filter(([name]) => HEADLINE.has(name)) : rows;
  const worst = (k: "perf" | "a11y" | "best") => Math.min(...headline.map(([, s]) => s[k]));
  const others = rows.filter(([name]) => !headline.some(([h]) => h === name)).map(([name, s]) => ` ${name}_perf=${s.perf}`).join("");
  console.log(`lighthouse_perf=${worst("perf")} a11y=${worst("a11y")} best=${worst("best")} market_js_gz_kb=${Math.round(firstGz / 1024)}${others}`);
} catch (error) {
  console.error(`bench:web failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);
