/**
 * Faults: nothing committed is lost, nothing uncommitted is visible.
 *  - partykit dev is killed with SIGKILL in the middle of load and restarted;
 *  - Postgres is restarted in the middle of load.
 */
import { execSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rows } from "../../db/db";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader } from "../support/market";
import { startRooms, type Rooms } from "../support/rooms";
import { expectBookMatchesDb, expectMoneySafe } from "./checks";
import { connectAll, runLoad } from "./load";

let t: TestDb;
let rooms: Rooms;
beforeAll(async () => {
  process.env.TEST_DB = "postgres";
  t = await openTestDb({ poolSize: 5 });
  rooms = await startRooms({ databaseUrl: t.url!, port: Number(process.env.ROOMS_FAULT_PORT ?? 13999), proxyPort: Number(process.env.ROOMS_FAULT_PROXY_PORT ?? 13989) });
});
afterAll(async () => {
  await rooms?.stop();
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("SIGKILL of the rooms mid-load: every acknowledged order survives, the rebuilt book equals the database, trading resumes", async () => {
  const m = await addMarket(t.db);
  const players = await Promise.all(Array.from({ length: 10 }, () => fundedTrader(t.db, [m.itemTypeId], 100_000, 500)));
  const traders = await connectAll(rooms.host, rooms.secret, m.slug, players);
  let stop = false;
  const load = runLoad(traders, () => stop, "kill");
  await sleep(2_000);
  await rooms.kill("SIGKILL");
  stop = true;
  const { answers } = await load;
  const acked = answers.filter((a) => a.answer.ok && a.answer.order).map((a) => a.answer.order!);
  expect(acked.length).toBeGreaterThan(20);
  const lost = answers.filter((a) => a.answer.code === -1).length;
  console.log(`kill: ${acked.length} acknowledged orders before the kill, ${lost} commands cut off`);

  await rooms.start();
  const ids = `{${acked.map((o) => o.id).join(",")}}`;
  const [found] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from orders where id = any(${ids}::uuid[])`);
  expect(found!.n).toBe(new Set(acked.map((o) => o.id)).size);
  await expectBookMatchesDb(t.db, rooms.partyUrl, m.slug);
  await expectMoneySafe(t.db, players);

  // Trading resumes: a crossing pair fills. Two players who were not in the load: a load player's own
  // resting order at a better price would meet theirs first, and self-trade prevention cancels it.
  const fresh = await Promise.all([0, 1].map(() => fundedTrader(t.db, [m.itemTypeId], 100_000, 500)));
  const [a, b] = await connectAll(rooms.host, rooms.secret, m.slug, fresh);
  const ask = await a!.send({ type: "place", clientOrderId: "after-kill-a", side: "sell", orderType: "limit", price: 50, quantity: 2 });
  const bid = await b!.send({ type: "place", clientOrderId: "after-kill-b", side: "buy", orderType: "limit", price: 200, quantity: 2 });
  expect(ask.ok && bid.ok).toBe(true);
  // The ask fills against the load's resting bids if any are left; otherwise it rests and the bid takes it.
  expect((ask.fills?.length ?? 0) + (bid.fills?.length ?? 0)).toBeGreaterThan(0);
  for (const tr of [...traders, a!, b!]) tr.close();
});

it("Postgres restart mid-load: callers get retryable errors, no partial state, trading resumes by itself", async () => {
  const m = await addMarket(t.db);
  const players = await Promise.all(Array.from({ length: 10 }, () => fundedTrader(t.db, [m.itemTypeId], 100_000, 500)));
  const traders = await connectAll(rooms.host, rooms.secret, m.slug, players);
  let stop = false;
  const load = runLoad(traders, () => stop, "pg");
  await sleep(1_500);
  const restartedAt = Date.now();
  const cluster = readdirSync("/etc/postgresql")[0];
  execSync(`pg_ctlcluster --skip-systemctl-redirect ${cluster} main restart`, { stdio: "ignore", timeout: 60_000 });
  const upAt = Date.now();
  await sleep(6_000);
  stop = true;
  const { answers } = await load;
  const retry = answers.filter((a) => a.answer.code === 500);
  const okAfter = answers.filter((a) => a.at > upAt + 1_000 && a.answer.ok);
  console.log(`pg restart (${upAt - restartedAt} ms): ${answers.length} answers, ${retry.length} retryable, ${okAfter.length} ok after it came back`);
  expect(answers.filter((a) => a.answer.code === -1)).toEqual([]); // the room itself never went away
  expect(okAfter.length).toBeGreaterThan(20);
  for (const r of retry) expect(r.answer.message).toMatch(/try again/);
  await expectBookMatchesDb(t.db, rooms.partyUrl, m.slug);
  await expectMoneySafe(t.db, players);
  for (const tr of traders) tr.close();
});
