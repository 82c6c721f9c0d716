/**
 * Timed orders expire during load: the room's alarm expires them through the same group commit as
 * everything else, no batch around it fails, reservations come back; and a room killed while timed
 * orders are pending expires them after it restarts (woken by its alarm).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rows } from "../../db/db";
import { marketsWithDueOrders } from "../../db/market/read";
import { wakeOverdueMarkets } from "../../edge/market/wake.server";
import { repoRoot } from "../../scripts/paths";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader, wallet } from "../support/market";
import { startRooms, type Rooms } from "../support/rooms";
import { expectBookMatchesDb, expectMoneySafe } from "./checks";
import { connectAll, runLoad } from "./load";

const port = Number(process.env.ROOMS_EXPIRY_PORT ?? 14999);
const log = path.join(repoRoot, ".data", "logs", `rooms-expiry-${process.pid}.log`);
let t: TestDb;
let rooms: Rooms;
beforeAll(async () => {
  process.env.TEST_DB = "postgres";
  t = await openTestDb({ poolSize: 5 });
  rooms = await startRooms({ databaseUrl: t.url!, port, proxyPort: port - 10, log });
});
afterAll(async () => {
  await rooms?.stop();
  await t?.close();
});

/** Every player of this file: the money check counts each fill in the database against them. */
const everyone: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function statuses(ids: string[]) {
  return rows<{ id: string; status: string; reserved: string }>(t.db, sql`
    select id, status, reserved::text from orders where id = any(${`{${ids.join(",")}}`}::uuid[])`);
}

it("timed orders expire on time while others trade in the same market; no batch fails", async () => {
  const m = await addMarket(t.db);
  const players = await Promise.all(Array.from({ length: 12 }, () => fundedTrader(t.db, [m.itemTypeId], 100_000, 500)));
  everyone.push(...players);
  const [timedPlayers, loadPlayers] = [players.slice(0, 4), players.slice(4)];
  const traders = await connectAll(rooms.host, rooms.secret, m.slug, loadPlayers);
  const timed = await connectAll(rooms.host, rooms.secret, m.slug, timedPlayers);
  let stop = false;
  const load = runLoad(traders, () => stop, "expiry-load");
  await sleep(500);

  // Bids far below the load's prices (95-104) and asks far above: they rest until they expire.
  const placed: Array<{ id: string; expiresAt: number; player: string }> = [];
  for (let round = 0; round < 3; round++) {
    for (const [i, tr] of timed.entries()) {
      const expiresAt = Date.now() + 1_000 + 700 * round + 150 * i;
      const side = i % 2 === 0 ? "buy" : "sell";
      const answer = await tr.send({ type: "place", clientOrderId: `timed-${round}-${i}`, side, orderType: "limit", price: side === "buy" ? 10 : 900, quantity: 3, expiresAt });
      expect(answer).toMatchObject({ ok: true, order: { status: "open" } });
      placed.push({ id: answer.order!.id, expiresAt, player: timedPlayers[i]! });
    }
  }
  const last = Math.max(...placed.map((p) => p.expiresAt));
  await sleep(last - Date.now() + 2_000);
  stop = true;
  const { answers } = await load;

  const rowsNow = await statuses(placed.map((p) => p.id));
  expect(rowsNow.map((r) => r.status)).toEqual(placed.map(() => "expired"));
  expect(rowsNow.every((r) => r.reserved === "0")).toBe(true);
  // Nothing held back for them any more: the timed players have everything they started with.
  for (const player of timedPlayers) expect(await wallet(t.db, player, m.itemTypeId)).toEqual({ copper: 100_000, copperReserved: 0, items: 500, itemsReserved: 0 });
  // The load's batches around the expiries all committed: no RETRY (500) and no lost answer (-1).
  expect(answers.length).toBeGreaterThan(50);
  expect(answers.filter((a) => a.answer.code === 500 || a.answer.code === -1)).toEqual([]);
  expect(readFileSync(log, "utf8")).not.toMatch(/Party\.id|expiry alarm failed/);
  await expectBookMatchesDb(t.db, rooms.partyUrl, m.slug);
  await expectMoneySafe(t.db, everyone);
  for (const tr of [...traders, ...timed]) tr.close();
});

it("a room killed while timed orders are pending expires them after it restarts, woken by the cron's sweep", async () => {
  const m = await addMarket(t.db);
  const players = await Promise.all(Array.from({ length: 2 }, () => fundedTrader(t.db, [m.itemTypeId], 100_000, 500)));
  everyone.push(...players);
  const traders = await connectAll(rooms.host, rooms.secret, m.slug, players);
  const expiresAt = Date.now() + 2_500;
  const ids: string[] = [];
  for (const [i, tr] of traders.entries()) {
    const answer = await tr.send({ type: "place", clientOrderId: `kill-timed-${i}`, side: i === 0 ? "buy" : "sell", orderType: "limit", price: i === 0 ? 10 : 900, quantity: 2, expiresAt });
    expect(answer).toMatchObject({ ok: true });
    ids.push(answer.order!.id);
  }
  for (const tr of traders) tr.close();
  await rooms.kill("SIGKILL");
  await rooms.start();
  // Nobody connects. partykit dev does not keep alarms across a restart; the worker's cron sweep
  // (every minute) wakes each market holding overdue timed orders, and the room expires them.
  expect(await marketsWithDueOrders(t.db)).not.toContain(m.slug); // not due yet: nothing to wake
  await sleep(expiresAt - Date.now() + 100);
  const sweep = await wakeOverdueMarkets({ PARTY_HOST: rooms.host }, t.db);
  expect(sweep).toMatchObject({ failed: [] });
  expect(sweep.woken).toContain(m.slug);
  const deadline = Date.now() + 5_000;
  let now = await statuses(ids);
  while (now.some((r) => r.status !== "expired") && Date.now() < deadline) {
    await sleep(250);
    now = await statuses(ids);
  }
  expect(now.map((r) => r.status)).toEqual(["expired", "expired"]);
  await expectMoneySafe(t.db, everyone);
});
