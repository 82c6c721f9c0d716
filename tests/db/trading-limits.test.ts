/**
 * Trading limits (issue 17, ADR 027) through a market session on PGlite and on the real Postgres:
 * the buy limit at, over and after its window, two buys that together pass it (in one batch, and
 * sent at once from two connections), the sell and offer gates by account age, and the largest order value
 * of new accounts. The batch's clock is the test's, so that the window can pass.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { rows, type Db } from "../../db/db";
import { setTradingLimits, NO_LIMITS } from "../../db/limits/trading-limits";
import * as offers from "../../db/offers";
import { MarketSession } from "../../party/market/session";
import { RoomCode } from "../../party/settlement/codes";
import type { TradingLimits } from "../../party/settlement/limits";
import type { MarketCommand } from "../../party/settlement/types";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader } from "../support/market";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 20 });
});
afterAll(async () => t?.close());

const HOUR = 3_600_000;
const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number): MarketCommand => ({
  type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity,
});

async function limited(limits: Partial<TradingLimits>) {
  const m = await addMarket(t.db);
  const [item] = await rows<{ slug: string }>(t.db, sql`select slug from item_types where id = ${m.itemTypeId}`);
  const set = await setTradingLimits(t.db, item!.slug, { ...NO_LIMITS, ...limits }, "test");
  expect(set.ok).toBe(true);
  return { ...m, itemSlug: item!.slug };
}

/** A clock the test moves; the session's batches use it. */
function clock(start = Date.now()) {
  const c = { now: start, fn: () => c.now };
  return c;
}

/** A trader whose account was made `ageMs` ago. */
async function trader(db: Db, itemTypeIds: number[], ageMs: number) {
  const id = await fundedTrader(db, itemTypeIds, 1_000_000, 1_000);
  await db.execute(sql`update players set created_at = now() - make_interval(secs => ${ageMs / 1000}) where id = ${id}`);
  return id;
}

const old = 400 * 24 * HOUR;

describe(`trading limits on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("buy limit: at the limit passes, over it is refused with when it resets, after the window it passes again", async () => {
    const m = await limited({ buyLimit: 10, buyWindowSeconds: 4 * 3600 });
    const c = clock();
    const [seller, buyer] = [await trader(t.db, [m.itemTypeId], old), await trader(t.db, [m.itemTypeId], old)];
    const session = (await MarketSession.open(() => t.db, m.slug, () => {}, 2_000, c.fn))!;
    expect((await session.submit(place(seller, "sell", 100, 100))).ok).toBe(true);
    const first = c.now;
    expect(await session.submit(place(buyer, "buy", 100, 6))).toMatchObject({ ok: true, order: { status: "filled", filled: 6 } });
    c.now += HOUR;
    // At the limit: 6 + 4 = 10.
    expect(await session.submit(place(buyer, "buy", 100, 4))).toMatchObject({ ok: true, order: { filled: 4 } });
    c.now += HOUR;
    const over = await session.submit(place(buyer, "buy", 100, 1));
    expect(over).toMatchObject({ ok: false, code: RoomCode.BUY_LIMIT_REACHED, reason: "BUY_LIMIT_REACHED", order: { status: "rejected" } });
    // The 6 bought first leave the window 4 hours after they were bought.
    expect(over.resetsAt).toBe(first + 4 * HOUR);
    expect(over.message).toContain("at most 10 per player every 4 hours");
    expect(over.message).toContain(`frees up at ${new Date(first + 4 * HOUR).toISOString().replace(".000Z", "Z").replace(/\.\d{3}Z$/, "Z")}`);
    // Just before the first purchase leaves the window: still refused. After: 6 free again.
    c.now = first + 4 * HOUR - 1;
    expect((await session.submit(place(buyer, "buy", 100, 1))).code).toBe(RoomCode.BUY_LIMIT_REACHED);
    c.now = first + 4 * HOUR + 1;
    expect(await session.submit(place(buyer, "buy", 100, 6))).toMatchObject({ ok: true, order: { filled: 6 } });
    expect((await session.submit(place(buyer, "buy", 100, 1))).code).toBe(RoomCode.BUY_LIMIT_REACHED);
    // Sells and other players are not limited.
    expect((await session.submit(place(buyer, "sell", 500, 50))).ok).toBe(true);
    const other = await trader(t.db, [m.itemTypeId], old);
    expect((await session.submit(place(other, "buy", 100, 10))).ok).toBe(true);
    expect((await checkLedger(t.db)).problems).toEqual([]);
  });

  it("limits set while the room runs apply from its next batch (the usage is read that once in one more statement)", async () => {
    const m = await addMarket(t.db);
    const [item] = await rows<{ slug: string }>(t.db, sql`select slug from item_types where id = ${m.itemTypeId}`);
    const [seller, buyer] = [await trader(t.db, [m.itemTypeId], old), await trader(t.db, [m.itemTypeId], old)];
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    expect((await session.submit(place(seller, "sell", 100, 100))).ok).toBe(true);
    expect((await session.submit(place(buyer, "buy", 100, 8))).ok).toBe(true); // no limits yet: the room stops reading usage
    expect((await setTradingLimits(t.db, item!.slug, { ...NO_LIMITS, buyLimit: 10 }, "test")).ok).toBe(true);
    const [a, b] = await session.submitMany([place(buyer, "buy", 100, 2), place(buyer, "buy", 100, 1)]);
    expect([a!.ok, b!.code]).toEqual([true, RoomCode.BUY_LIMIT_REACHED]);
    expect((await session.submit(place(buyer, "buy", 100, 1))).code).toBe(RoomCode.BUY_LIMIT_REACHED);
    // Lifted: the next batch trades freely again.
    expect((await setTradingLimits(t.db, item!.slug, NO_LIMITS, "test")).ok).toBe(true);
    expect((await session.submit(place(buyer, "buy", 100, 5))).ok).toBe(true);
  });

  it("open buy orders count: a resting order holds its share of the limit until it is cancelled", async () => {
    const m = await limited({ buyLimit: 10 });
    const buyer = await trader(t.db, [m.itemTypeId], old);
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    const resting = await session.submit(place(buyer, "buy", 50, 8));
    expect(resting.order?.status).toBe("open");
    const over = await session.submit(place(buyer, "buy", 50, 3));
    expect(over.code).toBe(RoomCode.BUY_LIMIT_REACHED);
    expect(over.message).toContain("Your open buy orders hold the rest");
    expect(over.resetsAt).toBeUndefined();
    // Amending up is judged like a new order of the difference; in one batch, the second amend sees the first.
    const up = await session.submitMany([
      { type: "amend", playerId: buyer, orderId: resting.order!.id, quantity: 11 },
      { type: "amend", playerId: buyer, orderId: resting.order!.id, quantity: 10 },
      place(buyer, "buy", 50, 1),
    ]);
    expect(up.map((a) => a.code)).toEqual([RoomCode.BUY_LIMIT_REACHED, 0, RoomCode.BUY_LIMIT_REACHED]);
    expect((await session.submit({ type: "cancel", playerId: buyer, orderId: resting.order!.id })).ok).toBe(true);
    expect((await session.submit(place(buyer, "buy", 50, 10))).ok).toBe(true);
  });

  it("two buys that together pass the limit cannot both pass: in one batch, and in two batches at once", async () => {
    const m = await limited({ buyLimit: 10 });
    const [seller, buyer] = [await trader(t.db, [m.itemTypeId], old), await trader(t.db, [m.itemTypeId], old)];
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    expect((await session.submit(place(seller, "sell", 100, 100))).ok).toBe(true);
    // One batch: both in the same plan.
    const same = await session.submitMany([place(buyer, "buy", 100, 7), place(buyer, "buy", 100, 7)]);
    expect(same.map((a) => a.ok)).toEqual([true, false]);
    expect(same[1]!.code).toBe(RoomCode.BUY_LIMIT_REACHED);
    // Another buyer sends both at once from two connections: whatever the batching, only one passes.
    const second = await trader(t.db, [m.itemTypeId], old);
    const both = await Promise.all([session.submit(place(second, "buy", 100, 6)), session.submit(place(second, "buy", 100, 6))]);
    expect(both.filter((a) => a.ok)).toHaveLength(1);
    const [bought] = await rows<{ q: string }>(t.db, sql`select coalesce(sum(quantity), 0)::text as q from fills where market_slug = ${m.slug} and taker_player_id in (${buyer}, ${second})`);
    expect(Number(bought!.q)).toBe(7 + 6);
    // Across batches: the second is sent while the first's batch is in its transaction, so it is planned
    // in the next batch, which reads the first's fills.
    const fourth = await trader(t.db, [m.itemTypeId], old);
    const batches = session.batches;
    const early = session.submit(place(fourth, "buy", 100, 6));
    await new Promise((r) => setImmediate(r));
    const late = session.submit(place(fourth, "buy", 100, 6));
    expect([(await early).ok, (await late).code]).toEqual([true, RoomCode.BUY_LIMIT_REACHED]);
    expect(session.batches).toBe(batches + 2);
    // A client's bad value in the same batch is refused alone; the others settle.
    const third = await trader(t.db, [m.itemTypeId], old);
    const mixed = await session.submitMany([place(third, "buy", 100, 4), place(third, "buy", 100, 2 ** 52), place(third, "buy", 100, 20), place(third, "buy", 100, 6)]);
    expect(mixed.map((a) => a.ok)).toEqual([true, false, false, true]);
    expect(mixed[2]!.code).toBe(RoomCode.BUY_LIMIT_REACHED);
    expect(mixed[2]!.message).toContain("This order alone is more than the limit");
  });

  it("the room remembers usage it read: a resting bid filled by a seller counts, a new room reads it again, a new window is re-read", async () => {
    const m = await limited({ buyLimit: 10, buyWindowSeconds: 4 * 3600 });
    const c = clock();
    const [seller, buyer] = [await trader(t.db, [m.itemTypeId], old), await trader(t.db, [m.itemTypeId], old)];
    const session = (await MarketSession.open(() => t.db, m.slug, () => {}, 2_000, c.fn))!;
    // The buyer is read once (nothing bought), then their resting bid fills in the seller's batch.
    const bid = await session.submit(place(buyer, "buy", 100, 8));
    expect(bid.order?.status).toBe("open");
    c.now += HOUR;
    expect((await session.submit(place(seller, "sell", 100, 8))).order?.filled).toBe(8);
    // Bought 8 as the maker (no longer open): 3 more is over, 2 is at the limit.
    expect((await session.submit(place(seller, "sell", 100, 50))).ok).toBe(true);
    expect((await session.submit(place(buyer, "buy", 100, 3))).code).toBe(RoomCode.BUY_LIMIT_REACHED);
    expect((await session.submit(place(buyer, "buy", 100, 2))).order?.filled).toBe(2);
    // A room started afresh (a restart) knows nothing: it reads the 10 bought from the fills.
    const fresh = (await MarketSession.open(() => t.db, m.slug, () => {}, 2_000, c.fn))!;
    const over = await fresh.submit(place(buyer, "buy", 100, 1));
    expect(over.code).toBe(RoomCode.BUY_LIMIT_REACHED);
    expect(over.resetsAt).toBe(c.now + 4 * HOUR); // the 8 and the 2 were bought at this clock's time
    // A longer window set while the room runs: memory holds only the old window's purchases, so they are read again.
    expect((await setTradingLimits(t.db, m.itemSlug, { ...NO_LIMITS, buyLimit: 10, buyWindowSeconds: 3600 }, "test")).ok).toBe(true);
    const other = await trader(t.db, [m.itemTypeId], old);
    expect((await fresh.submit(place(other, "buy", 100, 6))).order?.filled).toBe(6);
    c.now += 90 * 60_000; // the 6 leave the one-hour window
    expect((await fresh.submit(place(other, "buy", 100, 4))).order?.filled).toBe(4);
    expect((await setTradingLimits(t.db, m.itemSlug, { ...NO_LIMITS, buyLimit: 10, buyWindowSeconds: 4 * 3600 }, "test")).ok).toBe(true);
    // Four hours back: 6 + 4 = 10 bought, so one more is over (memory alone would say 4).
    expect((await fresh.submit(place(other, "buy", 100, 1))).code).toBe(RoomCode.BUY_LIMIT_REACHED);
    expect((await checkLedger(t.db)).problems).toEqual([]);
  });

  it("account-age gate: a new account may buy but not sell until it is old enough; the answer says from when", async () => {
    const m = await limited({ minAccountAgeSeconds: 7 * 86_400 });
    const young = await trader(t.db, [m.itemTypeId], 2 * 86_400_000);
    const c = clock();
    const session = (await MarketSession.open(() => t.db, m.slug, () => {}, 2_000, c.fn))!;
    const sell = await session.submit(place(young, "sell", 100, 1));
    expect(sell).toMatchObject({ ok: false, code: RoomCode.ACCOUNT_TOO_NEW });
    expect(sell.message).toContain("accounts may sell it 7 days after sign-up");
    const [p] = await rows<{ ms: string }>(t.db, sql`select (extract(epoch from created_at) * 1000)::bigint::text as ms from players where id = ${young}`);
    expect(sell.resetsAt).toBe(Number(p!.ms) + 7 * 86_400_000);
    expect((await session.submit(place(young, "buy", 100, 1))).ok).toBe(true);
    // Just before the gate opens: still refused (the room remembers the sign-up time). Then: sells.
    c.now = sell.resetsAt! - 1;
    expect((await session.submit(place(young, "sell", 100, 1))).code).toBe(RoomCode.ACCOUNT_TOO_NEW);
    c.now = sell.resetsAt!;
    expect((await session.submit(place(young, "sell", 100, 1))).ok).toBe(true);
  });

  it("new accounts: an order worth more than the limit is refused (limit, market buy budget, amend up); older accounts are not", async () => {
    const m = await limited({ newAccountMaxOrderValue: 5_000, newAccountAgeSeconds: 3 * 86_400 });
    const young = await trader(t.db, [m.itemTypeId], HOUR);
    const grown = await trader(t.db, [m.itemTypeId], 4 * 86_400_000);
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    expect((await session.submit(place(young, "buy", 100, 50))).ok).toBe(true); // exactly 5,000
    const over = await session.submit(place(young, "buy", 100, 51));
    expect(over).toMatchObject({ ok: false, code: RoomCode.ORDER_VALUE_TOO_HIGH });
    expect(over.message).toContain("worth at most 5000 copper; this one is worth 5100");
    const market = await session.submit({ type: "place", playerId: young, clientOrderId: crypto.randomUUID(), side: "buy", orderType: "market", quantity: 10, budget: 6_000 });
    expect(market.code).toBe(RoomCode.ORDER_VALUE_TOO_HIGH);
    const resting = await session.submit(place(young, "buy", 10, 10));
    expect((await session.submit({ type: "amend", playerId: young, orderId: resting.order!.id, quantity: 600 })).code).toBe(RoomCode.ORDER_VALUE_TOO_HIGH);
    expect((await session.submit({ type: "amend", playerId: young, orderId: resting.order!.id, quantity: 400 })).ok).toBe(true);
    expect((await session.submit(place(grown, "buy", 100, 51))).ok).toBe(true);
  });

  it("offers: a player too young for an item type's gate cannot send an offer holding it; other offers pass", async () => {
    const m = await limited({ minAccountAgeSeconds: 86_400 });
    const young = await trader(t.db, [m.itemTypeId], HOUR);
    const friend = await trader(t.db, [m.itemTypeId], old);
    const policy = { ...offers.defaultOfferPolicy, minAccountAgeSeconds: 0, acceptDelaySeconds: 0 };
    const give = await offers.createOffer(t.db, { fromPlayerId: young, to: { playerId: friend }, give: [{ kind: "stack", itemTypeId: m.itemTypeId, quantity: 1 }], ask: [] }, policy);
    expect(give).toMatchObject({ ok: false, status: 403, code: "account_too_new" });
    expect(!give.ok && give.message).toMatch(/accounts may offer it 1 day after sign-up\. You may from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    const ask = await offers.createOffer(t.db, { fromPlayerId: young, to: { playerId: friend }, give: [{ kind: "currency", quantity: 1 }], ask: [{ kind: "stack", itemTypeId: m.itemTypeId, quantity: 1 }] }, policy);
    expect(ask).toMatchObject({ ok: false, code: "account_too_new" });
    expect((await offers.createOffer(t.db, { fromPlayerId: young, to: { playerId: friend }, give: [{ kind: "currency", quantity: 1 }], ask: [] }, policy)).ok).toBe(true);
    expect((await offers.createOffer(t.db, { fromPlayerId: friend, to: { playerId: young }, give: [{ kind: "stack", itemTypeId: m.itemTypeId, quantity: 1 }], ask: [] }, policy)).ok).toBe(true);
  });

  it("setting limits: bad values are refused naming the field; all off removes them", async () => {
    const m = await limited({ buyLimit: 5 });
    expect(await setTradingLimits(t.db, m.itemSlug, { ...NO_LIMITS, buyLimit: 0 }, "test")).toMatchObject({ ok: false, status: 400, message: expect.stringContaining("buyLimit") });
    expect(await setTradingLimits(t.db, m.itemSlug, { ...NO_LIMITS, newAccountMaxOrderValue: 10 }, "test")).toMatchObject({ ok: false, status: 400, message: expect.stringContaining("go together") });
    expect(await setTradingLimits(t.db, "no-such-item", NO_LIMITS, "test")).toMatchObject({ ok: false, status: 404 });
    expect(await setTradingLimits(t.db, m.itemSlug, NO_LIMITS, "test")).toMatchObject({ ok: true, limits: { buyLimit: null, market: m.slug } });
    const [n] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from trading_limits where item_type_id = ${m.itemTypeId}`);
    expect(n!.n).toBe(0);
  });
});
