/**
 * The embedded default, end to end, started the way `npm start` starts it: the stack on PGlite
 * (served by our session queue on one backend), the demo world seeded on first start.
 *   1. real use: ROOMS_SEQUENTIAL sequential requests (400 in npm test; `npm run soak:rooms` makes
 *      it 1,000 and more), then 200 concurrent signed-in requests (API tokens and cookie sessions,
 *      reads and writes mixed): no 5xx, and the database connections stay bounded;
 *   2. a trade through the API and the room, then check:ledger and replay on the PGlite directory
 *      after a clean stop (covering everything the load wrote too).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { rows } from "../../db/db";
import { openPglite } from "../../db/open";
import { DEMO_PASSWORD } from "../../db/seed";
import { EMBEDDED_MAX_CONNECTIONS, quietToolEnv } from "../../scripts/stack";
import { callApi, embeddedPorts, FormBrowser, useEmbeddedStack } from "../support/embedded";
import { groupMembers, isLoopback, listenersOf, socketsOnPort, watchSockets } from "../support/listeners";

// Ports: ROOMS_EMBEDDED_PORT, ROOMS_EMBEDDED_PARTY_PORT, ROOMS_EMBEDDED_PGLITE_PORT, ROOMS_EMBEDDED_WS_PROXY_PORT.
const ports = embeddedPorts("EMBEDDED", { web: 19787, party: 19999, pglite: 19433, wsProxy: 19789 });
const embedded = useEmbeddedStack("embedded", ports);
/** Sequential requests before the concurrent burst: enough to show a connection leak (one left per request would be hundreds). */
const SEQUENTIAL = Number(process.env.ROOMS_SEQUENTIAL ?? 400);
const startedAt = Date.now();
/** Orders placed through the web form with a cookie session by the load (checked in the database at the end). */
let formOrders = 0;

const databasePort = () => `:${ports.pglite}`;

/** Established connections accepted by the embedded database's port (server side), in one dump. */
function databaseConnections(rows = socketsOnPort(ports.pglite)): number {
  return rows.filter((r) => r.local.endsWith(databasePort()) && r.state === "ESTAB").length;
}

/**
 * Client side: established sockets to the database's port whose server end is established too, and
 * the states of the server ends of the others (a client socket can be established while its server
 * end is still SYN-RECV, its handshake waiting on a full accept queue under load, or already
 * closing). Those hold nothing of the database's; a leaked connection is established at both ends.
 */
function clientConnections(rows: ReturnType<typeof socketsOnPort>): { paired: number; others: Record<string, number> } {
  const port = databasePort();
  const server = new Map(rows.filter((r) => r.local.endsWith(port)).map((r) => [`${r.local}>${r.peer}`, r.state]));
  let paired = 0;
  const others: Record<string, number> = {};
  for (const r of rows) {
    if (!r.peer.endsWith(port) || r.state !== "ESTAB") continue;
    const peer = server.get(`${r.peer}>${r.local}`) ?? "none";
    if (peer === "ESTAB") paired++;
    else others[peer] = (others[peer] ?? 0) + 1;
  }
  return { paired, others };
}

const url = (p: string) => `${embedded.stack!.url}${p}`;

const api = (p: string, init?: Parameters<typeof callApi>[2]) => callApi(embedded.stack!.url, p, init);

it("listens on loopback only: every socket of every part, the rooms' partykit, workerd and its inspector included", () => {
  const parts = groupMembers(Object.values(embedded.stack!.pids()));
  const listeners = listenersOf(parts);
  const ports = new Set(listeners.map((l) => l.port));
  // The parts' own ports are among them (the check saw the stack), and nothing listens beyond loopback:
  // partykit dev binds 0.0.0.0 and its inspector proxy every interface unless patched (patches/partykit*).
  for (const port of Object.values(embedded.stack!.ports)) expect(ports, `port ${port}`).toContain(port);
  expect(listeners.filter((l) => l.command === "workerd").length).toBeGreaterThanOrEqual(2);
  expect(listeners.filter((l) => !isLoopback(l.address)).map((l) => `${l.command} (pid ${l.pid}) on ${l.address}:${l.port}`)).toEqual([]);
});

it(`survives real use: ${SEQUENTIAL} sequential and 200 concurrent signed-in requests, no 5xx, bounded connections`, async () => {
  const token = async (username: string) => (await api("/tokens", { method: "POST", json: { username, password: DEMO_PASSWORD, label: "load" } })).body.token as string;
  const tokens = [await token("alice"), await token("bob"), await token("carol")];
  const browsers = [new FormBrowser(embedded.stack!.url), new FormBrowser(embedded.stack!.url), new FormBrowser(embedded.stack!.url)];
  for (const [i, b] of browsers.entries()) expect((await b.signUp(`load_${process.pid % 100000}_${i}`)).status).toBe(302);
  const coal = (await api("/markets")).body.markets.find((m: { slug: string }) => m.slug === "coal");
  const [price, lot] = [coal.tickSize as number, coal.lotSize as number];

  let peak = 0;
  let peakClient = 0;
  /** The most client sockets seen at once whose server end was in each other state (SYN-RECV, CLOSE-WAIT, ...). */
  const unpaired: Record<string, number> = {};
  // A dump every 100 ms from one `ss` loop (watchSockets). The kernel's dump is not atomic either:
  // a count is the smaller of two dumps in a row.
  let previous: { server: number; client: ReturnType<typeof clientConnections> } | undefined;
  const sampler = watchSockets(ports.pglite, (rows) => {
    const now = { server: databaseConnections(rows), client: clientConnections(rows) };
    if (previous) {
      peak = Math.max(peak, Math.min(previous.server, now.server));
      const client = previous.client.paired <= now.client.paired ? previous.client : now.client;
      if (client.paired > peakClient) peakClient = client.paired;
      for (const [state, n] of Object.entries(client.others)) unpaired[state] = Math.max(unpaired[state] ?? 0, n);
    }
    previous = now;
  });
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let seq = 0;
  /** The slowest request of each kind in the concurrent burst, ms: the margin to the edge's 20 s room timeout. */
  const slowest = new Map<string, number>();
  const timed = async (n: number): Promise<void> => {
    const started = performance.now();
    const kind = await request(n);
    slowest.set(kind, Math.max(slowest.get(kind) ?? 0, Math.round(performance.now() - started)));
  };
  /** One request of the mix, by number: reads and writes, tokens and cookies, pages and API. Returns its kind. */
  const request = async (n: number): Promise<string> => {
    const t = tokens[n % tokens.length]!;
    const b = browsers[n % browsers.length]!;
    let status: number;
    let what: string;
    switch (n % 9) {
      case 0:
        [what, status] = ["healthz", (await api("/healthz")).status];
        break;
      case 1:
        [what, status] = ["GET /api/v1/inventory", (await api("/inventory", { token: t })).status];
        break;
      case 2:
        [what, status] = ["GET /inventory (cookie)", (await b.get("/inventory")).status];
        break;
      case 3: {
        // A buy far below the market, then its cancel: two writes through the room.
        const placed = await api("/markets/coal/orders", { method: "POST", token: t, json: { clientOrderId: `load-${process.pid}-${seq++}`, side: "buy", price, quantity: lot } });
        what = `place (${JSON.stringify(placed.body).slice(0, 200)})`;
        status = placed.status;
        // A write must really happen, not merely avoid a 5xx.
        if (!placed.body?.ok) failures.push(`${what} -> ${status}`);
        if (placed.body?.order?.status === "open") {
          const canceled = await api(`/markets/coal/orders/${placed.body.order.id}`, { method: "DELETE", token: t });
          if (canceled.status >= 500) failures.push(`cancel -> ${canceled.status} ${JSON.stringify(canceled.body).slice(0, 200)}`);
        }
        break;
      }
      case 4:
        [what, status] = ["GET /markets/coal (cookie)", (await b.get("/markets/coal")).status];
        break;
      case 5:
        [what, status] = ["GET /api/v1/orders", (await api("/orders?status=history&limit=20", { token: t })).status];
        break;
      case 6:
        [what, status] = ["GET / (cookie)", (await b.get("/")).status];
        break;
      case 7: {
        // A write with a cookie session: the order form (one copper a coal: it rests, far below the market).
        const r = await b.placeByForm(`form-${process.pid}-${seq++}`, (price / 100).toFixed(2), lot);
        [what, status] = ["POST /markets/coal (cookie, place)", r.status];
        // Counted only when placed, so that one failure here fails this test alone, not the ledger test too.
        if (r.status === 200) formOrders++;
        else failures.push(`${what} -> ${r.status}: ${r.said}`);
        break;
      }
      default:
        [what, status] = ["GET /api/v1/markets", (await api("/markets")).status];
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status >= 500) failures.push(`${what} -> ${status}`);
    return what.split(" (")[0]!;
  };

  try {
    for (let n = 0; n < SEQUENTIAL; n++) await request(n);
    const afterSequential = databaseConnections();
    await Promise.all(Array.from({ length: 200 }, (_, n) => timed(n)));
    console.log(`embedded load: slowest of the 200 concurrent, ms, by kind ${JSON.stringify(Object.fromEntries(slowest))}`);
    console.log(`embedded load: statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak database connections ${peak} (client side ${peakClient}, and established with the server end not: ${JSON.stringify(unpaired)}), after the sequential run ${afterSequential}`);
    expect(failures).toEqual([]);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    // One request holds at most one connection, and the proxy lets at most 32 through at once.
    expect(peak).toBeGreaterThan(1);
    // The supervisor's liveness probe of the database (a bare TCP connect, once a second) may add one for an instant.
    expect(peak).toBeLessThanOrEqual(EMBEDDED_MAX_CONNECTIONS + 1);
    // Client side, connections established at both ends (a leaked one is): a few being closed can
    // overlap new ones. Client sockets whose server end was not established (a handshake waiting on
    // PGlite's accept queue while the CI's other lane loads the host: 42-43 raw against 32 server
    // side, twice, 2026-12-05) hold nothing of the database's and are only logged above.
    expect(peakClient).toBeLessThanOrEqual(EMBEDDED_MAX_CONNECTIONS + 8);
    // The sequential requests did not leave a connection each behind: only the rooms' pools stay open.
    expect(afterSequential).toBeLessThanOrEqual(8);
  } finally {
    sampler.stop();
  }
}, 600_000);

it("keeps per-request inspector events out of wrangler's debug log (patches/wrangler+4.86.0.patch)", () => {
  // The load above made a fetch or socket per request; unpatched, each one's Network events were
  // written to the debug log (2.5 MB a minute under ten players) and buffered in memory for good.
  const dir = quietToolEnv().WRANGLER_LOG_PATH!;
  const logs = readdirSync(dir).filter((f) => f.endsWith(".log")).map((f) => path.join(dir, f)).filter((f) => statSync(f).mtimeMs >= startedAt);
  expect(logs.length, `a wrangler debug log written since ${new Date(startedAt).toISOString()} in ${dir}`).toBeGreaterThan(0);
  const text = logs.map((f) => readFileSync(f, "utf8")).join("\n");
  expect(text).toContain("RUNTIME INCOMING MESSAGE"); // the proxy still logs what is not per request
  expect(text.match(/RUNTIME INCOMING MESSAGE \{\s*method: 'Network\./g) ?? []).toEqual([]);
});

it("trades on the embedded PGlite stack and the ledger checks out afterwards", async () => {
  const token = async (username: string) => (await api("/tokens", { method: "POST", json: { username, password: DEMO_PASSWORD, label: "embedded" } })).body.token as string;
  const [alice, bob] = [await token("alice"), await token("bob")];
  const sell = await api("/markets/coal/orders", { method: "POST", token: alice, json: { clientOrderId: "e-s1", side: "sell", price: 7, quantity: 20 } });
  expect(sell.body).toMatchObject({ ok: true, order: { status: "open" } });
  const buy = await api("/markets/coal/orders", { method: "POST", token: bob, json: { clientOrderId: "e-b1", side: "buy", price: 9, quantity: 20 } });
  expect(buy.body).toMatchObject({ ok: true, order: { status: "filled" } });
  expect(buy.body.fills[0]).toMatchObject({ price: 7, quantity: 20 });
  const coal = (await api("/inventory", { token: bob })).body.stacks.find((s: { slug: string }) => s.slug === "coal");
  expect(coal).toMatchObject({ available: 20 });

  await embedded.stop("checking the data directory");
  const opened = await openPglite(embedded.dir);
  try {
    expect((await checkLedger(opened.db)).problems).toEqual([]);
    expect((await replay(opened.db)).differences).toEqual([]);
    // The load's cookie-session writes really placed their orders (not merely answered 200).
    const [placed] = await rows<{ n: number }>(opened.db, sql`select count(*)::int as n from orders where client_order_id like 'form-%' and status = 'open'`);
    // One request in nine is a form order (the bound was 100 of 1,200 requests when the run was 1,000 + 200).
    expect(formOrders).toBeGreaterThan(Math.floor(((SEQUENTIAL + 200) / 9) * 0.75));
    expect(placed!.n).toBe(formOrders);
  } finally {
    await opened.close();
  }
}, 300_000);
