/**
 * A room too far behind refuses new orders at once (ADR 048): the real room, over its sockets, on
 * the real Postgres, with ROOM_QUEUE_WAIT_MS=300. A transaction outside the room holds a player's
 * balance row, so the room's batch waits on the lock and the commands behind it age past 300 ms.
 * New places and amends are then answered MARKET_BUSY at once and leave nothing behind; a cancel
 * still queues; once the lock goes, everything queued settles and the room takes orders again.
 */
import pg from "pg";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rows } from "../../db/db";
import { RoomCode } from "../../party/settlement/codes";
import { issueToken } from "../../party/tokens";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader, wallet } from "../support/market";
import { startRooms, type Rooms } from "../support/rooms";
import { expectBookMatchesDb, expectMoneySafe } from "./checks";
import { connectAll } from "./load";

let t: TestDb;
let rooms: Rooms;
beforeAll(async () => {
  process.env.TEST_DB = "postgres";
  t = await openTestDb({ poolSize: 3 });
  rooms = await startRooms({
    databaseUrl: t.url!, port: Number(process.env.ROOMS_BUSY_PORT ?? 18999), proxyPort: Number(process.env.ROOMS_BUSY_PROXY_PORT ?? 18989),
    vars: { ROOM_QUEUE_WAIT_MS: "300" },
  });
});
afterAll(async () => {
  await rooms?.stop();
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("a room whose queue waits past ROOM_QUEUE_WAIT_MS refuses places and amends at once, still takes cancels, and recovers", async () => {
  const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
  const [seller, buyer] = [await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId])];
  const [a, b] = await connectAll(rooms.host, rooms.secret, m.slug, [seller!, buyer!]);
  const ask = await a!.send({ type: "place", clientOrderId: "busy-ask", side: "sell", orderType: "limit", price: 100, quantity: 5 });
  expect(ask.ok).toBe(true);
  const before = await wallet(t.db, buyer!, m.itemTypeId);

  const blocker = new pg.Client({ connectionString: t.url! });
  await blocker.connect();
  let stuck: Promise<unknown> | undefined;
  let cancel: Promise<unknown> | undefined;
  try {
    await blocker.query("begin");
    await blocker.query("select 1 from balances where player_id = $1 for update", [buyer]);
    let settled = false;
    stuck = b!.send({ type: "place", clientOrderId: "busy-stuck", side: "buy", orderType: "limit", price: 100, quantity: 1 }).finally(() => (settled = true));
    await sleep(200); // the batch holding "busy-stuck" now waits on the lock
    cancel = a!.send({ type: "cancel", orderId: ask.order!.id });
    await sleep(600); // the cancel has waited in the queue past 300 ms

    const refused = await b!.send({ type: "place", clientOrderId: "busy-refused", side: "buy", orderType: "limit", price: 90, quantity: 1 });
    const amend = await a!.send({ type: "amend", orderId: ask.order!.id, price: 101 });
    for (const x of [refused, amend]) expect(x).toMatchObject({ ok: false, code: RoomCode.MARKET_BUSY, reason: "MARKET_BUSY", message: expect.stringMatching(/^The market is too busy/) });
    expect(settled).toBe(false); // refused at once, while the batch ahead still waits on the lock
    // A cancel-all is never refused: it waits with the rest.
    const all = a!.send({ type: "cancelAll" });
    await sleep(100);
    await blocker.query("rollback");
    expect(await stuck).toMatchObject({ ok: true, fills: [expect.objectContaining({ price: 100, quantity: 1 })] });
    expect(await cancel).toMatchObject({ ok: true, canceled: [ask.order!.id] });
    expect(await all).toMatchObject({ ok: true });
  } finally {
    await blocker.query("rollback").catch(() => undefined);
    await blocker.end();
  }

  const [found] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from orders where client_order_id = 'busy-refused'`);
  expect(found!.n).toBe(0);
  const [ordered] = await rows<{ price: string }>(t.db, sql`select price::text from orders where id = ${ask.order!.id}`);
  expect(ordered!.price).toBe("100"); // the refused amend changed nothing
  // The buyer paid for the one item bought, and the refused bid reserved nothing.
  expect(await wallet(t.db, buyer!, m.itemTypeId)).toEqual({ ...before, copper: before.copper - 100, items: before.items + 1 });

  // Caught up: the room takes orders again, and says what it refused in its metrics.
  const again = await b!.send({ type: "place", clientOrderId: "busy-again", side: "buy", orderType: "limit", price: 90, quantity: 1 });
  expect(again).toMatchObject({ ok: true, order: { status: "open" } });
  const service = await issueToken(rooms.secret, "service", "busy-test", 60);
  const metrics = await (await fetch(`${rooms.partyUrl}/parties/main/${m.slug}?metrics`, { headers: { authorization: `Bearer ${service}` } })).text();
  expect(metrics).toContain(`bazaar_market_commands_total{market="${m.slug}",kind="place",result="MARKET_BUSY"} 1`);
  expect(metrics).toContain(`bazaar_market_commands_total{market="${m.slug}",kind="amend",result="MARKET_BUSY"} 1`);
  await expectBookMatchesDb(t.db, rooms.partyUrl, m.slug);
  await expectMoneySafe(t.db, [seller!, buyer!]);
  for (const x of [a!, b!]) x.close();
});
