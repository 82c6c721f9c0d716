/**
 * Timed orders (GTC limit orders with expiresAt) on the real Postgres:
 *  - under load in `partykit dev`: they expire on time (the room's alarm, also after the load has
 *    stopped and nothing else reaches the room), their reservations come back, and no batch around
 *    an expiry fails (PartyKit refuses `room.id` while any onAlarm runs: reading it in a committed
 *    batch's publishing answered that batch RETRY and logged "You can not access `Party.id`");
 *  - a room killed with SIGKILL while timed orders are pending expires them after its restart,
 *    whether a watcher opens it or only the cron's sweep does (partykit dev forgets alarms);
 *  - a room evicted and woken by its alarm alone (no request, `id` refused for good), and an alarm
 *    that fails (database unreachable): with PartyKit's room object stood in for
 *    (tests/support/rooms.ts fakePartyRoom), because partykit dev neither evicts nor keeps alarms.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { neonConfig } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import ws from "ws";
import { rows } from "../../db/db";
import { wakeOverdueMarkets } from "../../edge/market/wake.server";
import MarketRoom from "../../party/market";
import type { Answer } from "../../party/settlement/types";
import { issueToken } from "../../party/tokens";
import { repoRoot } from "../../scripts/paths";
import { addressOf, startWsProxy, type WsProxy } from "../../scripts/ws-proxy";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader, wallet } from "../support/market";
import { fakePartyRoom, startRooms, type Rooms } from "../support/rooms";
import { expectBookMatchesDb, expectMoneySafe } from "./checks";
import { connectAll, runLoad } from "./load";

// Not the other room suites' ports (trading 12999/12989, faults 13999/13989, bench 14999/14989).
const port = Number(process.env.ROOMS_EXPIRY_PORT ?? 15999);
const proxyPort = Number(process.env.ROOMS_EXPIRY_PROXY_PORT ?? port - 10);
const log = path.join(repoRoot, ".data", "logs", `rooms-expiry-${process.pid}.log`);
/** How late an expiry may be committed after its time (the alarm, a batch, on 2 busy cores). */
const LATE_MS = 2_000;
/** Lines the room must never log during these tests. */
const BAD_LOG = /Party\.id|expiry alarm failed|"outcome":"failed"|not committed after|could not publish|could not set the expiry alarm|could not open/;

let t: TestDb;
let rooms: Rooms;
beforeAll(async () => {
  process.env.TEST_DB = "postgres";
  t = await openTestDb({ poolSize: 5 });
  rooms = await startRooms({ databaseUrl: t.url!, port, proxyPort, log });
});
afterAll(async () => {
  await rooms?.stop();
  await t?.close();
});

/** Every player of this file: the money check counts each fill in the database against them. */
const everyone: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Until the wall clock has reached `at`, as a platform fires an alarm: at its time or after. A bare
 * setTimeout can end a millisecond or more early against Date.now() (Node's timers run on a loop
 * clock read before the wait), and an alarm fired early expires nothing (seen once in CI).
 */
async function untilAlarm(at: number): Promise<void> {
  while (Date.now() < at) await sleep(Math.max(1, at - Date.now()));
}

interface OrderState {
  id: string;
  status: string;
  filled: number;
  reserved: string;
  expiresAt: number;
  /** When the row last changed (Postgres now() of the batch that expired it). */
  updatedAt: number;
}

async function states(ids: string[]): Promise<OrderState[]> {
  const found = await rows<{ id: string; status: string; filled: string; reserved: string; expires_at_ms: string; updated_at_ms: string }>(t.db, sql`
    select id, status, filled::text, reserved::text,
      (extract(epoch from expires_at) * 1000)::bigint::text as expires_at_ms, (extract(epoch from updated_at) * 1000)::bigint::text as updated_at_ms
    from orders where id = any(${`{${ids.join(",")}}`}::uuid[])`);
  const byId = new Map(found.map((r) => [r.id, r]));
  return ids.map((id) => {
    const r = byId.get(id);
    if (!r) throw new Error(`order ${id} is not in the database`);
    return { id, status: r.status, filled: Number(r.filled), reserved: r.reserved, expiresAt: Number(r.expires_at_ms), updatedAt: Number(r.updated_at_ms) };
  });
}

/** Poll until no order is open any more (or the deadline passes); the final states. */
async function settled(ids: string[], deadline: number): Promise<OrderState[]> {
  let now = await states(ids);
  while (now.some((o) => o.status === "open") && Date.now() < deadline) {
    await sleep(200);
    now = await states(ids);
  }
  return now;
}

/** ms from its time (or from `notBefore` if later: the room was down) to the batch that expired it. */
const lateness = (o: OrderState, notBefore = 0) => o.updatedAt - Math.max(o.expiresAt, notBefore);

function roomLog(): string {
  return readFileSync(log, "utf8");
}

it("timed orders expire on time while others trade in the same market, and after the load stops; no batch fails", async () => {
  const m = await addMarket(t.db);
  const players = await Promise.all(Array.from({ length: 16 }, () => fundedTrader(t.db, [m.itemTypeId], 100_000, 500)));
  everyone.push(...players);
  const [timedPlayers, loadPlayers] = [players.slice(0, 6), players.slice(6)];
  const traders = await connectAll(rooms.host, rooms.secret, m.slug, loadPlayers);
  const timed = await connectAll(rooms.host, rooms.secret, m.slug, timedPlayers);
  const logBefore = roomLog().length;

  let stop = false;
  const load = runLoad(traders, () => stop, "expiry-load");
  const started = Date.now();
  await sleep(500);

  // Rounds of timed orders for ~8 s, each 1-4 s ahead. Two in three are far from the load's prices
  // (95-104) and can only expire; one in three is at 99/100, where the load may fill it first.
  const placed: Array<{ id: string; expiresAt: number; far: boolean }> = [];
  const timedAnswers: Answer[] = [];
  let k = 0;
  const placeTimed = async (tr: (typeof timed)[number], expiresAt: number, far: boolean, side: "buy" | "sell") => {
    const price = far ? (side === "buy" ? 10 : 900) : side === "buy" ? 99 : 100;
    const answer = await tr.send({ type: "place", clientOrderId: `timed-${k++}`, side, orderType: "limit", timeInForce: "GTC", price, quantity: 3, expiresAt });
    timedAnswers.push(answer);
    expect(answer, JSON.stringify(answer)).toMatchObject({ ok: true });
    placed.push({ id: answer.order!.id, expiresAt, far });
  };
  for (let round = 0; Date.now() - started < 7_500; round++) {
    await Promise.all(timed.map((tr, i) => {
      const n = round * timed.length + i;
      return placeTimed(tr, Date.now() + 1_000 + ((n * 487) % 3_000), n % 3 !== 0, n % 2 === 0 ? "buy" : "sell");
    }));
    await sleep(600);
  }
  // A last round due after the load has stopped: only the alarm can expire these.
  await Promise.all(timed.map((tr, i) => placeTimed(tr, Date.now() + 3_200 + 100 * i, true, i % 2 === 0 ? "buy" : "sell")));

  await sleep(Math.max(0, started + 10_000 - Date.now()));
  stop = true;
  const { answers } = await load;
  const loadDone = Date.now();

  const last = Math.max(...placed.map((p) => p.expiresAt));
  const final = await settled(placed.map((p) => p.id), last + LATE_MS + 1_000);
  const late = final.filter((o) => o.status === "expired").map((o) => lateness(o));
  const quiet = final.filter((o) => o.expiresAt > loadDone + 100);
  console.log(
    `expiry under load: ${answers.length} load answers, ${placed.length} timed orders (${final.filter((o) => o.status === "expired").length} expired, ` +
      `${final.filter((o) => o.status === "filled").length} filled, ${quiet.length} due after the load stopped); ` +
      `expired ${Math.min(...late)}..${Math.max(...late)} ms after their time`,
  );

  // Every timed order that did not fill expired, within LATE_MS of its time, its reservation released.
  expect(final.filter((o) => o.status !== "expired" && o.status !== "filled")).toEqual([]);
  for (const o of final) {
    expect(o.reserved).toBe("0");
    if (o.status === "expired") {
      expect(lateness(o), `order ${o.id} expired ${lateness(o)} ms after its time`).toBeGreaterThanOrEqual(-20);
      expect(lateness(o), `order ${o.id} expired ${lateness(o)} ms after its time`).toBeLessThanOrEqual(LATE_MS);
    }
  }
  const far = new Set(placed.filter((p) => p.far).map((p) => p.id));
  expect(final.filter((o) => far.has(o.id)).every((o) => o.status === "expired" && o.filled === 0)).toBe(true);
  expect(placed.length).toBeGreaterThan(40);
  expect(quiet.length).toBeGreaterThanOrEqual(timed.length);
  // Nothing is held back for the timed players any more.
  for (const p of timedPlayers) expect(await wallet(t.db, p, m.itemTypeId)).toMatchObject({ copperReserved: 0, itemsReserved: 0 });
  // The batches around the expiries all committed: no RETRY (500) and no lost answer (-1).
  expect(answers.length).toBeGreaterThan(100);
  const failed = [...answers.map((a) => a.answer), ...timedAnswers].filter((a) => a.code === 500 || a.code === -1 || a.reason === "RETRY");
  expect(failed).toEqual([]);
  expect(roomLog().slice(logBefore)).not.toMatch(BAD_LOG);
  await expectBookMatchesDb(t.db, rooms.partyUrl, m.slug);
  await expectMoneySafe(t.db, everyone);
  for (const tr of [...traders, ...timed]) tr.close();
});

it("rooms killed (SIGKILL) with timed orders pending expire them after the restart: opened by a watcher, or by the cron's sweep alone", async () => {
  const watched = await addMarket(t.db);
  const unvisited = await addMarket(t.db);
  const loadPlayers = await Promise.all(Array.from({ length: 4 }, () => fundedTrader(t.db, [watched.itemTypeId], 100_000, 500)));
  const timedW = await Promise.all(Array.from({ length: 2 }, () => fundedTrader(t.db, [watched.itemTypeId], 100_000, 500)));
  const timedU = await Promise.all(Array.from({ length: 2 }, () => fundedTrader(t.db, [unvisited.itemTypeId], 100_000, 500)));
  everyone.push(...loadPlayers, ...timedW, ...timedU);
  const logBefore = roomLog().length;

  const place = async (slug: string, players: string[], expiresAt: number) => {
    const traders = await connectAll(rooms.host, rooms.secret, slug, players);
    const ids: string[] = [];
    for (const [i, tr] of traders.entries()) {
      for (const [j, delta] of [0, 400].entries()) {
        const side = (i + j) % 2 === 0 ? "buy" : "sell";
        const answer = await tr.send({ type: "place", clientOrderId: `kill-${i}-${j}`, side, orderType: "limit", price: side === "buy" ? 10 : 900, quantity: 2, expiresAt: expiresAt + delta });
        expect(answer, JSON.stringify(answer)).toMatchObject({ ok: true, order: { status: "open" } });
        ids.push(answer.order!.id);
      }
    }
    return { traders, ids };
  };
  const killAt = Date.now() + 1_500;
  const w = await place(watched.slug, timedW, killAt + 4_000);
  const u = await place(unvisited.slug, timedU, killAt + 2_000);
  // The watched market is busy when the room dies.
  const loaders = await connectAll(rooms.host, rooms.secret, watched.slug, loadPlayers);
  const load = runLoad(loaders, () => false, "kill-expiry");
  await sleep(killAt - Date.now());
  await rooms.kill("SIGKILL");
  await load; // every socket closed with the room
  for (const tr of [...w.traders, ...u.traders]) tr.close();
  await rooms.start();
  const restarted = Date.now();
  // Nothing trades any more. A watcher reads the book of one market: that opens its room, which arms
  // its alarm from the book (partykit dev forgot the alarms with the process).
  const book = await fetch(`${rooms.partyUrl}/parties/main/${watched.slug}?depth=5`);
  expect(book.status).toBe(200);
  await book.arrayBuffer();
  const wFinal = await settled(w.ids, Math.max(restarted, ...(await states(w.ids)).map((o) => o.expiresAt)) + LATE_MS + 1_000);
  expect(wFinal.map((o) => o.status)).toEqual(w.ids.map(() => "expired"));
  for (const o of wFinal) expect(lateness(o, restarted)).toBeLessThanOrEqual(LATE_MS);

  // Nobody reaches the other market: the worker's cron sweep (every minute) wakes it once its orders
  // are overdue, and the room's own alarm expires them.
  const uStates = await states(u.ids);
  await sleep(Math.max(...uStates.map((o) => o.expiresAt)) - Date.now() + 50);
  // (partykit dev forgot their alarm with the process; a platform that keeps alarms expires them here.)
  const before = (await states(u.ids)).filter((o) => o.status !== "open").length;
  if (before > 0) console.log(`${before} of the unvisited market's timed orders expired before the sweep: the alarm survived the restart`);
  const swept = Date.now();
  const sweep = await wakeOverdueMarkets({ PARTY_HOST: rooms.host }, t.db);
  expect(sweep).toMatchObject({ failed: [] });
  expect(sweep.woken).toContain(unvisited.slug);
  const uFinal = await settled(u.ids, swept + LATE_MS + 1_000);
  expect(uFinal.map((o) => o.status)).toEqual(u.ids.map(() => "expired"));
  for (const o of uFinal) expect(lateness(o, swept)).toBeLessThanOrEqual(LATE_MS);

  for (const p of [...timedW, ...timedU]) {
    const item = timedW.includes(p) ? watched.itemTypeId : unvisited.itemTypeId;
    expect(await wallet(t.db, p, item)).toEqual({ copper: 100_000, copperReserved: 0, items: 500, itemsReserved: 0 });
  }
  expect(roomLog().slice(logBefore)).not.toMatch(/Party\.id|expiry alarm failed|could not publish/);
  await expectBookMatchesDb(t.db, rooms.partyUrl, watched.slug);
  await expectMoneySafe(t.db, everyone);
});

// ------------------------------------------------------------------ PartyKit's room stood in for

let proxy: WsProxy | undefined;
const secret = "expiry-fake-room-secret-".padEnd(48, "x");
async function fakeEnv(): Promise<Record<string, unknown>> {
  neonConfig.webSocketConstructor = ws as unknown as typeof neonConfig.webSocketConstructor;
  proxy ??= await startWsProxy({ port: 0, allow: [addressOf(t.url!)] });
  return { DATABASE_URL: t.url!, NEON_WS_PROXY: `127.0.0.1:${proxy.port}/v1`, ROOM_SECRET: secret, DB_POOL_MAX: 2 };
}
afterAll(async () => {
  await proxy?.close();
});

async function command(fake: ReturnType<typeof fakePartyRoom>, server: MarketRoom, playerId: string, command: Record<string, unknown>): Promise<Answer> {
  const res = await fake.request(server, {
    method: "POST",
    headers: { authorization: `Bearer ${await issueToken(secret, "service", "edge", 60)}`, "content-type": "application/json" },
    body: { playerId, command },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

it("a room evicted with timed orders pending, woken by its alarm alone (Party.id refused for good), opens its market from storage and expires them", async () => {
  const env = await fakeEnv();
  const m = await addMarket(t.db);
  const [a, b] = await Promise.all([0, 1].map(() => fundedTrader(t.db, [m.itemTypeId], 100_000, 500)));
  everyone.push(a!, b!);
  const errors = vi.spyOn(console, "error");
  try {
    // First life: a request opens the room, timed orders come in, the alarm follows the earliest.
    const first = fakePartyRoom({ slug: m.slug, env });
    const server1 = new MarketRoom(first.room);
    const t0 = Date.now();
    const early = await command(first, server1, a!, { type: "place", clientOrderId: "evict-1", side: "buy", orderType: "limit", price: 10, quantity: 2, expiresAt: t0 + 1_500 });
    const later = await command(first, server1, b!, { type: "place", clientOrderId: "evict-2", side: "sell", orderType: "limit", price: 900, quantity: 2, expiresAt: t0 + 3_000 });
    expect(early.ok && later.ok).toBe(true);
    await sleep(20); // the alarm is set right after the batch is published
    expect(first.storage.alarm).toBe(t0 + 1_500);
    expect(first.storage.kv.get("market-slug")).toBe(m.slug);

    // Evicted: a new server on the same storage, started by the alarm, with no id ever.
    const woken = fakePartyRoom({ slug: m.slug, env, storage: first.storage });
    const server2 = new MarketRoom(woken.room);
    await untilAlarm(first.storage.alarm!);
    await woken.fireAlarm(server2);
    const [s1, s2] = await states([early.order!.id, later.order!.id]);
    expect([s1!.status, s2!.status]).toEqual(["expired", "open"]);
    expect(first.storage.alarm).toBe(t0 + 3_000); // re-armed inside the handler: kept
    await untilAlarm(first.storage.alarm!);
    await woken.fireAlarm(server2);
    expect((await states([later.order!.id]))[0]!.status).toBe("expired");
    expect(first.storage.alarm).toBeNull(); // no timed order left: no alarm
    for (const p of [a!, b!]) expect(await wallet(t.db, p, m.itemTypeId)).toEqual({ copper: 100_000, copperReserved: 0, items: 500, itemsReserved: 0 });

    // The woken room serves requests too (its id is never set): an alarm while commands run just queues.
    const many = Array.from({ length: 20 }, (_, i) =>
      command(woken, server2, i % 2 ? a! : b!, { type: "place", clientOrderId: `woken-${i}`, side: i % 2 ? "buy" : "sell", orderType: "limit", price: 100, quantity: i % 2 ? 2 : 1, expiresAt: Date.now() + 60_000 }));
    first.storage.alarm = Date.now();
    const [answers] = await Promise.all([Promise.all(many), woken.fireAlarm(server2)]);
    expect(answers.filter((x) => !x.ok)).toEqual([]);
    expect(answers.filter((x) => (x.fills?.length ?? 0) > 0).length).toBeGreaterThan(0);
    expect(first.storage.alarm).toBeGreaterThan(Date.now() + 50_000); // the open timed orders' expiry
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([]);
  } finally {
    errors.mockRestore();
  }
  await expectMoneySafe(t.db, everyone);
});

it("an alarm that fails (database unreachable) is logged and re-armed with a backoff, then expires the orders once the database is back", async () => {
  const env = await fakeEnv();
  const m = await addMarket(t.db);
  const p = await fundedTrader(t.db, [m.itemTypeId], 100_000, 500);
  everyone.push(p);
  const first = fakePartyRoom({ slug: m.slug, env });
  const placed = await command(first, new MarketRoom(first.room), p, { type: "place", clientOrderId: "down-1", side: "buy", orderType: "limit", price: 10, quantity: 1, expiresAt: Date.now() + 1_000 });
  expect(placed.ok).toBe(true);

  // A port nothing listens on: the evicted room's alarm cannot open its market.
  const dead = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = s.address() as { port: number };
      s.close(() => resolve(free));
    });
  });
  const badEnv: Record<string, unknown> = { ...env, NEON_WS_PROXY: `127.0.0.1:${dead}/v1` };
  const woken = fakePartyRoom({ slug: m.slug, env: badEnv, storage: first.storage });
  const server = new MarketRoom(woken.room);
  const errors = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    await untilAlarm(first.storage.alarm!);
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = Date.now();
      await woken.fireAlarm(server); // never throws
      delays.push(Math.round((first.storage.alarm! - before) / 1_000));
    }
    expect(delays).toEqual([1, 2, 4]);
    const logged = errors.mock.calls.map((c) => String(c[0])).filter((l) => l.includes("market expiry alarm failed"));
    expect(logged.length).toBe(3);
    expect(logged[0]).toContain(m.slug);
    expect((await states([placed.order!.id]))[0]!.status).toBe("open");

    // The database is reachable again: the next alarm opens the market and expires the order.
    badEnv.NEON_WS_PROXY = env.NEON_WS_PROXY;
    await woken.fireAlarm(server);
    expect((await states([placed.order!.id]))[0]!.status).toBe("expired");
    expect(first.storage.alarm).toBeNull();
    expect(await wallet(t.db, p, m.itemTypeId)).toEqual({ copper: 100_000, copperReserved: 0, items: 500, itemsReserved: 0 });

    // The market is open and the expire batch itself cannot commit (its table gone for a moment): the
    // RETRY answer is a failure too, backed off from 1 s again, not an alarm every 50 ms.
    const second = await command(woken, server, p, { type: "place", clientOrderId: "down-2", side: "sell", orderType: "limit", price: 900, quantity: 1, expiresAt: Date.now() + 1_000 });
    expect(second.ok).toBe(true);
    await sleep(20);
    await untilAlarm(first.storage.alarm!);
    errors.mockClear();
    await t.db.execute(sql`alter table orders rename to orders_away`);
    const retried: number[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const before = Date.now();
        await woken.fireAlarm(server);
        retried.push(Math.round((first.storage.alarm! - before) / 1_000));
      }
    } finally {
      await t.db.execute(sql`alter table orders_away rename to orders`);
    }
    expect(retried).toEqual([1, 2]);
    expect(errors.mock.calls.map((c) => String(c[0])).filter((l) => l.includes("expire command was not committed")).length).toBe(2);
    await woken.fireAlarm(server);
    expect((await states([second.order!.id]))[0]!.status).toBe("expired");
    expect(first.storage.alarm).toBeNull();

    // Storage itself failing: the handler throws, so that the platform retries the alarm.
    first.storage.failSetAlarm = true;
    const again = fakePartyRoom({ slug: m.slug, env: { ...env, NEON_WS_PROXY: `127.0.0.1:${dead}/v1` }, storage: first.storage });
    await expect(again.fireAlarm(new MarketRoom(again.room))).rejects.toThrow(/setAlarm/);
  } finally {
    errors.mockRestore();
    first.storage.failSetAlarm = false;
  }
  await expectMoneySafe(t.db, everyone);
});
