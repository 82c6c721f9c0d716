/**
 * 8 markets x 20 players trading at once through real rooms (partykit dev) on the real Postgres:
 * players place, amend and cancel in several markets at once, sharing their balances.
 */
import { sql } from "drizzle-orm";
import { rows } from "../../db/db";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Trader } from "../../bench/market/trader";
import { issueToken } from "../../party/tokens";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader } from "../support/market";
import { startRooms, type Rooms } from "../support/rooms";
import { onOneSocket } from "../support/keep-alive";
import { PHASES, type ProfileSummary } from "../../party/market/profile";
import { expectBookMatchesDb, expectMoneySafe } from "./checks";
import { FeedWatcher } from "../support/feed-watcher";

let t: TestDb;
let rooms: Rooms;
let markets: Array<{ slug: string; itemTypeId: number }> = [];
let players: string[] = [];
const SECONDS = Number(process.env.ROOMS_TEST_SECONDS ?? 12);

beforeAll(async () => {
  process.env.TEST_DB = "postgres";
  t = await openTestDb({ poolSize: 10 });
  rooms = await startRooms({ databaseUrl: t.url!, port: Number(process.env.ROOMS_TEST_PORT ?? 12999), proxyPort: Number(process.env.ROOMS_TEST_PROXY_PORT ?? 12989) });
});
afterAll(async () => {
  await rooms?.stop();
  await t?.close();
});

it(`8 markets x 20 players for ${SECONDS}s: conserved, never negative, every fill once, books equal the database`, async () => {
  markets = await Promise.all(Array.from({ length: 8 }, () => addMarket(t.db, { makerBps: 10, takerBps: 25 })));
  players = await Promise.all(Array.from({ length: 20 }, () => fundedTrader(t.db, markets.map((m) => m.itemTypeId), 200_000, 500)));
  const sockets = await Promise.all(players.map(async (p) => {
    const token = await issueToken(rooms.secret, "player", p, 600);
    return Promise.all(markets.map((m) => Trader.connect(rooms.host, m.slug, token, p)));
  }));
  // Market 0's feed, watched on the room and on two of its relay rooms (ADR 045); one more joins a relay mid-run.
  const feeds = [await FeedWatcher.open(rooms.host, "main", markets[0]!.slug), await FeedWatcher.open(rooms.host, "relay", `${markets[0]!.slug}.0`), await FeedWatcher.open(rooms.host, "relay", `${markets[0]!.slug}.1`)];
  setTimeout(() => void FeedWatcher.open(rooms.host, "relay", `${markets[0]!.slug}.1`).then((f) => feeds.push(f)), (SECONDS * 1000) / 2);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const stats = { ok: 0, rejected: 0, retry: 0, fills: 0, amends: 0, cancels: 0 };
  const open = players.map(() => markets.map(() => [] as string[]));
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(players.map(async (_, pi) => {
    let n = 0;
    while (Date.now() < until) {
      const mi = Math.floor(rand() * 8);
      const trader = sockets[pi]![mi]!;
      const mine = open[pi]![mi]!;
      const r = rand();
      let answer;
      if (r < 0.15 && mine.length > 0) {
        answer = await trader.send({ type: "amend", orderId: mine[Math.floor(rand() * mine.length)], price: 95 + Math.floor(rand() * 10), quantity: 1 + Math.floor(rand() * 10) });
        stats.amends++;
      } else if (r < 0.3 && mine.length > 0) {
        const id = mine.splice(Math.floor(rand() * mine.length), 1)[0];
        answer = await trader.send({ type: "cancel", orderId: id });
        stats.cancels++;
      } else {
        answer = await trader.send({
          type: "place", clientOrderId: `p${pi}-${n++}`, side: rand() < 0.5 ? "buy" : "sell", orderType: "limit",
          price: 90 + Math.floor(rand() * 20), quantity: 1 + Math.floor(rand() * 15), timeInForce: rand() < 0.2 ? "IOC" : "GTC",
        });
        if (answer.ok && answer.order?.status === "open") mine.push(answer.order.id);
      }
      if (answer.ok) stats.ok++;
      else if (answer.code === 500) stats.retry++;
      else stats.rejected++;
      stats.fills += answer.fills?.length ?? 0;
    }
  }));
  for (const s of sockets.flat()) s.close();
  console.log(`rooms trading: ${JSON.stringify(stats)}`);
  expect(stats.retry).toBe(0);
  expect(stats.ok).toBeGreaterThan(500);
  expect(stats.fills).toBeGreaterThan(100);
  await expectMoneySafe(t.db, players);
  for (const m of markets) await expectBookMatchesDb(t.db, rooms.partyUrl, m.slug);

  // Every watcher of market 0, on the room or on a relay, ends with the room's own book.
  const room = (await (await fetch(`${rooms.partyUrl}/parties/main/${markets[0]!.slug}`)).json()) as { seq: number; bids: Array<[number, number]>; asks: Array<[number, number]> };
  expect(room.seq).toBeGreaterThan(50);
  for (const end = Date.now() + 10_000; Date.now() < end && feeds.some((f) => f.state.seq !== room.seq); ) await new Promise((r) => setTimeout(r, 100));
  expect(feeds).toHaveLength(4);
  for (const f of feeds) {
    expect({ seq: f.state.seq, connection: f.state.connection }, f.name).toEqual({ seq: room.seq, connection: "live" });
    expect([...f.state.bids].sort((a, b) => b[0] - a[0]), f.name).toEqual(room.bids);
    expect([...f.state.asks].sort((a, b) => a[0] - b[0]), f.name).toEqual(room.asks);
  }
  console.log(`rooms trading: market 0's watchers, updates received (room, relay 0, relay 1, late on relay 1): ${feeds.map((f) => f.updates).join(", ")}; resyncs ${feeds.map((f) => f.resyncs).join(", ")}`);
  for (const f of feeds) f.close();
  // The relays counted their watchers, and refuse commands: trading stays on the market room.
  expect(await (await fetch(`${rooms.partyUrl}/parties/relay/${markets[0]!.slug}.1`)).json()).toMatchObject({ market: markets[0]!.slug, seq: room.seq, upstream: "open" });
  const relay = await FeedWatcher.open(rooms.host, "relay", `${markets[0]!.slug}.0`);
  expect(await relay.answer({ type: "place", ref: "r1", clientOrderId: "relay-1", side: "buy", orderType: "limit", price: 100, quantity: 1 })).toMatchObject({ type: "error", code: "relay_feed_only" });
  relay.close();
  // A relay of a market that does not exist passes the room's refusal on and closes.
  const nowhere = await FeedWatcher.open(rooms.host, "relay", "no-such-market.0");
  expect(await nowhere.next()).toMatchObject({ type: "error", code: "unknown_market" });
  expect(await nowhere.closed).toBe(4004);
});

it("gives a trader's socket opened with feed=0 (its page's book comes from a relay) answers and its own orders and fills, never the book", async () => {
  const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
  const [a, b] = [await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId])];
  const quiet = await Trader.connect(rooms.host, m.slug, await issueToken(rooms.secret, "player", a, 60), a, { feed: "0" }, true);
  const other = await Trader.connect(rooms.host, m.slug, await issueToken(rooms.secret, "player", b, 60), b, {}, true);
  try {
    expect((await quiet.send({ type: "place", clientOrderId: "quiet-1", side: "sell", orderType: "limit", price: 100, quantity: 2 })).ok).toBe(true);
    expect((await other.send({ type: "place", clientOrderId: "other-1", side: "buy", orderType: "limit", price: 100, quantity: 1 })).fills).toHaveLength(1);
    for (let i = 0; i < 40 && !other.messages.some((x) => x.type === "update"); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200)); // the update's round has reached every socket
    const types = new Set(quiet.messages.map((x) => x.type));
    expect([...types].sort()).toEqual(["answer", "fill", "order"]);
    expect(other.messages.some((x) => x.type === "snapshot") && other.messages.some((x) => x.type === "update")).toBe(true);
  } finally {
    quiet.close();
    other.close();
  }
});

it("says where its batches' time went (GET ?profile): services only, phases per batch, reset on read", async () => {
  const url = `${rooms.partyUrl}/parties/main/${markets[0]!.slug}?profile`;
  expect((await fetch(url)).status).toBe(401);
  expect((await fetch(url, { headers: { authorization: `Bearer ${await issueToken(rooms.secret, "player", players[0]!, 60)}` } })).status).toBe(401);
  const service = { authorization: `Bearer ${await issueToken(rooms.secret, "service", "test", 60)}` };
  const first = (await (await fetch(url, { headers: service })).json()) as ProfileSummary;
  expect(first.batches).toBeGreaterThan(0); // the trading above
  expect(first.size.max).toBeGreaterThanOrEqual(1);
  for (const phase of PHASES) expect(first.phases[phase].max).toBeGreaterThanOrEqual(0);
  // The database's round trips take time; a clock that moves across I/O sees it.
  expect(first.phases.read.max + first.phases.write.max + first.phases.commit.max).toBeGreaterThan(0);
  expect(((await (await fetch(url, { headers: service })).json()) as ProfileSummary).batches).toBe(0);
});

it("answers each room command as the matrix says: a watcher, a bad token, the owner, another player, a player's and a service's HTTP call", async () => {
  const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
  const [a, b] = [await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId])];
  const [ta, tb] = [
    await Trader.connect(rooms.host, m.slug, await issueToken(rooms.secret, "player", a, 60), a),
    await Trader.connect(rooms.host, m.slug, await issueToken(rooms.secret, "player", b, 60), b),
  ];
  const watcher = await Trader.connect(rooms.host, m.slug);
  const openOrders = async () => (await rows<{ n: number }>(t.db, sql`select count(*)::int as n from orders where market_slug = ${m.slug} and status = 'open'`))[0]!.n;
  try {
    const placed = await ta.send({ type: "place", clientOrderId: "matrix-1", side: "sell", orderType: "limit", price: 100, quantity: 2 });
    expect(placed.ok).toBe(true);
    const orderId = placed.order!.id;
    expect(await openOrders()).toBe(1);

    // A watcher (no token) may watch, never trade: the room says so and nothing is written.
    watcher.keepMessages = true;
    watcher.ws.send(JSON.stringify({ type: "place", ref: "w1", clientOrderId: "w-1", side: "buy", orderType: "limit", price: 100, quantity: 1 }));
    watcher.ws.send(JSON.stringify({ type: "cancel", ref: "w2", orderId }));
    for (let i = 0; i < 50 && watcher.messages.filter((x) => x.type === "error").length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(watcher.messages.filter((x) => x.type === "error").map((x) => (x as { code: string }).code)).toEqual(["sign_in_required", "sign_in_required"]);
    // A forged or expired token: no socket at all.
    await expect(Trader.connect(rooms.host, m.slug, "player.x.1.forged")).rejects.toThrow(/401/);
    await expect(Trader.connect(rooms.host, m.slug, await issueToken(rooms.secret, "player", b, -1))).rejects.toThrow(/401/);
    // Another player cannot amend or cancel the owner's order; the owner can.
    expect((await tb.send({ type: "cancel", orderId })).ok).toBe(false);
    expect((await tb.send({ type: "amend", orderId, price: 101, quantity: 1 })).ok).toBe(false);
    expect((await tb.send({ type: "cancelAll" })).canceled ?? []).toEqual([]);
    expect(await openOrders()).toBe(1);
    // The room's HTTP commands are the edge's (a service token): a player's token or none is refused.
    const url = `${rooms.partyUrl}/parties/main/${m.slug}`;
    const command = JSON.stringify({ playerId: a, command: { type: "cancel", orderId } });
    expect((await fetch(url, { method: "POST", body: command })).status).toBe(401);
    expect((await fetch(url, { method: "POST", body: command, headers: { authorization: `Bearer ${await issueToken(rooms.secret, "player", a, 60)}` } })).status).toBe(401);
    expect(await openOrders()).toBe(1);
    const byService = await fetch(url, { method: "POST", body: command, headers: { authorization: `Bearer ${await issueToken(rooms.secret, "service", "edge", 60)}` } });
    expect(((await byService.json()) as { ok: boolean }).ok).toBe(true);
    expect(await openOrders()).toBe(0);
    expect((await ta.send({ type: "cancel", orderId })).ok).toBe(false); // already gone
  } finally {
    for (const s of [ta, tb, watcher]) s.close();
  }
});

it("keeps a caller's connection usable after refusing a POST without reading it: refusals, then a service command, on one kept-alive socket", async () => {
  const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
  const a = await fundedTrader(t.db, [m.itemTypeId]);
  const command = JSON.stringify({ playerId: a, command: { type: "place", clientOrderId: "keepalive-1", side: "sell", orderType: "limit", price: 100, quantity: 1 } });
  const large = command.padEnd(20_000, " "); // more than one read's worth, left unread by a refusal
  const bearer = async (kind: "player" | "service", id: string) => ({ authorization: `Bearer ${await issueToken(rooms.secret, kind, id, 60)}` });
  const { answers, sockets } = await onOneSocket(`${rooms.partyUrl}/parties/main/${m.slug}`, [
    { body: large },
    { body: large },
    { body: large, headers: await bearer("player", a) },
    { body: command, headers: await bearer("service", "edge") },
  ]);
  expect(answers.map((x) => x.status)).toEqual([401, 401, 401, 200]);
  expect((JSON.parse(answers[3]!.text) as { ok: boolean }).ok).toBe(true);
  expect(sockets).toBe(1); // every answer came back on the one connection
});
