/**
 * Screenshots of the metrics scraped (issue 21, ADR 040): the e2e stack on a seeded database, Debian's
 * Prometheus scraping the edge's /metrics and one market room's ?metrics every second with
 * docs/observability/alerts.yml loaded, a minute of traffic (orders through the room, pages and
 * failed sign-ins through the edge), then Debian's chromium on Prometheus's graph and alerts pages
 * (docs/screenshots/metrics-*.png). `npm run shots:metrics`
 * Ports: SHOT_PORT, SHOT_PARTY_PORT, SHOT_WS_PROXY_PORT, and ROOMS_METRICS_PROM_PORT for Prometheus.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { listMarkets } from "../../db/market/read";
import { issueToken } from "../../party/tokens";
import { repoRoot } from "../../scripts/paths";
import { fundedTrader } from "../support/market";
import { CHROMIUM_ARGS, startBrowserStack } from "./stack";

const SECONDS = Number(process.env.SHOT_TRAFFIC_SECONDS ?? 60);
const promPort = Number(process.env.ROOMS_METRICS_PROM_PORT ?? 17990);
const out = path.join(repoRoot, "docs", "screenshots");
mkdirSync(out, { recursive: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let slug = "";
const traders: string[] = [];
const stack = await startBrowserStack("metrics-shot", { web: Number(process.env.SHOT_PORT ?? 17881), party: Number(process.env.SHOT_PARTY_PORT ?? 17882), wsProxy: Number(process.env.SHOT_WS_PROXY_PORT ?? 17883) }, async (db) => {
  const market = (await listMarkets(db))[0]!;
  slug = market.slug;
  for (let i = 0; i < 6; i++) traders.push(await fundedTrader(db, [market.itemTypeId], 1_000_000, 1_000));
});
const dir = mkdtempSync(path.join(tmpdir(), "bazaar-prom-shot-"));
let prom: ReturnType<typeof spawn> | undefined;
let code = 0;
try {
  const secret = stack.stack.vars.ROOM_SECRET!;
  const token = await issueToken(secret, "service", "prometheus", 3_600);
  const web = new URL(stack.url).host;
  const party = new URL(stack.stack.partyUrl).host;
  writeFileSync(path.join(dir, "prometheus.yml"), [
    "global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 5s }",
    `rule_files: ['${path.join(repoRoot, "docs", "observability", "alerts.yml")}']`,
    "scrape_configs:",
    "  - job_name: edge",
    "    metrics_path: /metrics",
    `    authorization: { type: Bearer, credentials: '${token}' }`,
    `    static_configs: [{ targets: ['${web}'] }]`,
    "  - job_name: market",
    `    metrics_path: /parties/main/${slug}`,
    "    params: { metrics: [''] }",
    `    authorization: { type: Bearer, credentials: '${token}' }`,
    `    static_configs: [{ targets: ['${party}'] }]`,
    "",
  ].join("\n"));
  prom = spawn("timeout", [String(SECONDS + 120), "/usr/bin/prometheus", `--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: "ignore" });

  // Traffic: crossing orders through the room's service API, pages and failed sign-ins through the edge.
  const until = Date.now() + SECONDS * 1000;
  let i = 0;
  while (Date.now() < until) {
    const batch = Array.from({ length: 20 }, () => {
      const k = i++;
      return fetch(`${stack.stack.partyUrl}/parties/main/${slug}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ playerId: traders[k % traders.length], command: { type: "place", clientOrderId: `shot-${k}`, side: k % 2 ? "buy" : "sell", orderType: "limit", price: 100 + (k % 7) * 10, quantity: 1 + (k % 3) } }),
      }).then((r) => r.arrayBuffer());
    });
    const pages = ["/", `/markets/${slug}`, "/api/v1/markets", "/api/v1/orders/1"].map((p) => fetch(`${stack.url}${p}`).then((r) => r.arrayBuffer()));
    const signIn = fetch(`${stack.url}/api/v1/tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "nobody_here", password: "not-the-password", label: "x" }) }).then((r) => r.arrayBuffer());
    await Promise.all([...batch, ...pages, signIn]);
    await sleep(250);
  }
  await sleep(3_000);

  const graph = (exprs: string[]) =>
    `http://127.0.0.1:${promPort}/classic/graph?${exprs.map((e, n) => `g${n}.expr=${encodeURIComponent(e)}&g${n}.tab=0&g${n}.range_input=1m`).join("&")}`;
  const views = [
    { name: "edge", url: graph(["sum by (route) (rate(bazaar_edge_requests_total[30s]))", "sum by (result) (bazaar_edge_sign_ins_total)"]) },
    { name: "market", url: graph([`sum by (result) (rate(bazaar_market_commands_total{market="${slug}"}[30s]))`, `histogram_quantile(0.99, sum by (le) (rate(bazaar_market_commit_seconds_bucket{market="${slug}"}[30s])))`]) },
    { name: "alerts", url: `http://127.0.0.1:${promPort}/classic/alerts` },
  ];
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    for (const size of [{ name: "phone", width: 390, height: 844 }, { name: "tablet", width: 820, height: 1180 }]) {
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      const page = await context.newPage();
      for (const v of views) {
        const response = await page.goto(v.url);
        if (response?.status() !== 200) throw new Error(`${v.url} answered ${response?.status()}`);
        await sleep(2_000); // the graphs draw after their queries answer
        await page.screenshot({ path: path.join(out, `metrics-${v.name}-${size.name}.png`), fullPage: true });
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots in ${out}`);
} catch (error) {
  console.error(error);
  code = 1;
} finally {
  if (prom?.pid) {
    try {
      process.kill(prom.pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
