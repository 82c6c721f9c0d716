/**
 * The real Prometheus (Debian's /usr/bin/prometheus) scrapes a market room's GET ?metrics (service
 * token) during a short storm of orders: the text parses (Prometheus ingests it: `up` is 1), the
 * commands counter equals the orders the storm placed, and the histograms are consistent (buckets
 * cumulative, +Inf bucket = count). Prometheus runs with its own config and data directory on this
 * suite's ports, bounded by `timeout`, and is stopped by PID.
 * Ports: ROOMS_METRICS_PORT (17999), ROOMS_METRICS_PROXY_PORT (17989), ROOMS_METRICS_PROM_PORT (17990).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RoomMetrics } from "../../party/market/metrics";
import { issueToken } from "../../party/tokens";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader } from "../support/market";
import { startRooms, type Rooms } from "../support/rooms";

let t: TestDb;
let rooms: Rooms;
let prom: ChildProcess | undefined;
let dir: string;
const promPort = Number(process.env.ROOMS_METRICS_PROM_PORT ?? 17990);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  process.env.TEST_DB = "postgres";
  t = await openTestDb({ poolSize: 3 });
  rooms = await startRooms({ databaseUrl: t.url!, port: Number(process.env.ROOMS_METRICS_PORT ?? 17999), proxyPort: Number(process.env.ROOMS_METRICS_PROXY_PORT ?? 17989) });
  dir = mkdtempSync(path.join(tmpdir(), "bazaar-prom-"));
});
afterAll(async () => {
  if (prom?.pid) {
    try {
      process.kill(prom.pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
  try {
    await rooms?.stop();
  } finally {
    await t?.close();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  expect(body.status).toBe("success");
  return body.data.result;
}

it("Prometheus scrapes a room during a storm: counters match the storm, histograms are consistent", async () => {
  const m = await addMarket(t.db);
  const players = await Promise.all(Array.from({ length: 6 }, () => fundedTrader(t.db, [m.itemTypeId], 1_000_000, 1_000)));
  const token = await issueToken(rooms.secret, "service", "prometheus", 3_600);
  // Unauthenticated scrapes are refused.
  expect((await fetch(`${rooms.partyUrl}/parties/main/${m.slug}?metrics`)).status).toBe(401);

  writeFileSync(
    path.join(dir, "prometheus.yml"),
    [
      "global: { scrape_interval: 1s, scrape_timeout: 1s }",
      "scrape_configs:",
      "  - job_name: market",
      `    metrics_path: /parties/main/${m.slug}`,
      "    params: { metrics: [''] }",
      `    authorization: { type: Bearer, credentials: '${token}' }`,
      `    static_configs: [{ targets: ['${rooms.host}'] }]`,
      "",
    ].join("\n"),
  );
  prom = spawn("timeout", ["120", "/usr/bin/prometheus", `--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: "ignore" });

  // The storm: every player places crossing limit orders through the room's service API.
  const placed = 120;
  const send = (i: number) =>
    fetch(`${rooms.partyUrl}/parties/main/${m.slug}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        playerId: players[i % players.length],
        command: { type: "place", clientOrderId: `storm-${i}`, side: i % 2 ? "buy" : "sell", orderType: "limit", price: 100 + (i % 7) * 10, quantity: 1 + (i % 3) },
      }),
    }).then((r) => r.json() as Promise<{ ok: boolean }>);
  const answers = await Promise.all(Array.from({ length: placed }, (_, i) => send(i)));
  const ok = answers.filter((a) => a.ok).length;
  expect(ok).toBeGreaterThan(0);

  // Wait until Prometheus has scraped the room after the storm.
  const deadline = Date.now() + 60_000;
  let total = -1;
  while (Date.now() < deadline) {
    await sleep(1_000);
    const r = await query(`sum(bazaar_market_commands_total{market="${m.slug}",kind="place"})`).catch(() => []);
    total = r.length > 0 ? Number(r[0]!.value[1]) : -1;
    if (total === placed) break;
  }
  expect((await query('up{job="market"}'))[0]!.value[1]).toBe("1");
  expect(total).toBe(placed);
  const okCount = await query(`bazaar_market_commands_total{market="${m.slug}",kind="place",result="OK"}`);
  expect(Number(okCount[0]!.value[1])).toBe(ok);

  // Histograms: buckets cumulative, +Inf = _count; batch sizes sum to the commands.
  for (const name of ["bazaar_market_batch_size", "bazaar_market_commit_seconds"]) {
    const buckets = (await query(`${name}_bucket{market="${m.slug}"}`)).map((b) => ({ le: Number(b.metric.le!.replace("+Inf", "Infinity")), n: Number(b.value[1]) })).sort((a, b) => a.le - b.le);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.n).toBeGreaterThanOrEqual(buckets[i - 1]!.n);
    const count = Number((await query(`${name}_count{market="${m.slug}"}`))[0]!.value[1]);
    expect(buckets.at(-1)!.n).toBe(count);
    expect(count).toBeGreaterThan(0);
  }
  const sizeSum = Number((await query(`bazaar_market_batch_size_sum{market="${m.slug}"}`))[0]!.value[1]);
  expect(sizeSum).toBe(placed);
  const committed = Number((await query(`bazaar_market_batches_total{market="${m.slug}",outcome="committed"}`))[0]!.value[1]);
  expect(committed).toBe(Number((await query(`bazaar_market_batch_size_count{market="${m.slug}"}`))[0]!.value[1]));
}, 150_000);

it("the alert rules in docs/ pass promtool, and the dashboard names only metrics the room exposes", async () => {
  const out = execFileSync("timeout", ["30", "/usr/bin/promtool", "check", "rules", "docs/observability/alerts.yml"], { encoding: "utf8" });
  expect(out).toMatch(/SUCCESS: \d+ rules found/);
  const dashboard = readFileSync("docs/observability/grafana-markets.json", "utf8");
  const names = new Set([...dashboard.matchAll(/bazaar_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, "")));
  const exposed = new RoomMetrics().render("m", { queued: 0, openOrders: 0, sockets: 0, sseClients: 0 });
  for (const name of names) expect(exposed, name).toContain(`# TYPE ${name} `);
});
