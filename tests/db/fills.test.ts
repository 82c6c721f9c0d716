/** A player's fills (the trade history): filters, keyset paging and totals, on PGlite and on the real Postgres. */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { myFills, myFillsPage, myFillsTotals, type MyFill } from "../../db/market/read";
import { MarketSession } from "../../party/market/session";
import type { MarketCommand } from "../../party/settlement/types";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader } from "../support/market";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 10 });
});
afterAll(async () => t?.close());

const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number): MarketCommand => ({
  type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity,
});

describe(`my fills on ${process.env.TEST_DB ?? "pglite"}`, () => {
  let a: string;
  let b: string;
  let ore: string;
  let herb: string;
  /** Every fill of a, newest first, as the test expects them. */
  let all: MyFill[];

  beforeAll(async () => {
    const m1 = await addMarket(t.db, { makerBps: 100, takerBps: 200 });
    const m2 = await addMarket(t.db, { makerBps: 100, takerBps: 200 });
    [ore, herb] = [m1.slug, m2.slug];
    a = await fundedTrader(t.db, [m1.itemTypeId, m2.itemTypeId], 10_000_000);
    b = await fundedTrader(t.db, [m1.itemTypeId, m2.itemTypeId], 10_000_000);
    const s1 = (await MarketSession.open(() => t.db, ore))!;
    const s2 = (await MarketSession.open(() => t.db, herb))!;
    // 12 trades: a alternates maker and taker, buyer and seller, across two markets.
    for (let i = 0; i < 12; i++) {
      const s = i % 3 === 0 ? s2 : s1;
      const [maker, taker] = i % 2 === 0 ? [a, b] : [b, a];
      const makerSide = i % 4 < 2 ? "sell" : "buy";
      const price = 1_000 + i * 10;
      expect((await s.submit(place(maker, makerSide, price, 1 + i))).ok).toBe(true);
      const took = await s.submit(place(taker, makerSide === "sell" ? "buy" : "sell", price, 1 + i));
      expect(took.fills).toHaveLength(1);
    }
    // Spread them over 12 days, one a day, the first trade the oldest (fills are not events: their time may move).
    await t.db.execute(sql`
      update fills f set created_at = timestamptz '2026-01-01T12:00:00Z' + (r.n - 1) * interval '1 day'
      from (select id, row_number() over (order by id) as n from fills where market_slug in (${ore}, ${herb})) r where r.id = f.id`);
    all = await myFills(t.db, { playerId: a, limit: 500 });
  });

  it("lists every fill of mine, newest first, with my side, role and fee", async () => {
    expect(all).toHaveLength(12);
    expect(all.map((f) => f.at)).toEqual([...all.map((f) => f.at)].sort().reverse());
    expect(all[0]!.at).toBe("2026-01-12T12:00:00Z");
    // The oldest: a sold 1 on the market it made (maker fee 1% of 1,000).
    expect(all[11]).toMatchObject({ market: herb, price: 1_000, quantity: 1, side: "sell", role: "maker", fee: 10 });
    // The second: a took b's sell of 2 at 1,010 (taker fee 2% of 2,020, rounded down).
    expect(all[10]).toMatchObject({ market: ore, price: 1_010, quantity: 2, side: "buy", role: "taker", fee: 40 });
    // The other side sees the mirror.
    const theirs = await myFills(t.db, { playerId: b, limit: 500 });
    expect(theirs.map((f) => [f.id, f.side === "buy" ? "sell" : "buy", f.role === "maker" ? "taker" : "maker"])).toEqual(all.map((f) => [f.id, f.side, f.role]));
    // The callers that pass only a player and a limit (home page, orders page) keep working.
    expect(await myFills(t.db, { playerId: a, limit: 6 })).toEqual(all.slice(0, 6));
    expect(await myFills(t.db, { playerId: a })).toEqual(all);
  });

  it("filters by market, side and date range (from inclusive, to exclusive), alone and together", async () => {
    expect(await myFills(t.db, { playerId: a, market: herb })).toEqual(all.filter((f) => f.market === herb));
    expect(await myFills(t.db, { playerId: a, side: "buy" })).toEqual(all.filter((f) => f.side === "buy"));
    expect(await myFills(t.db, { playerId: a, side: "sell" })).toEqual(all.filter((f) => f.side === "sell"));
    const from = new Date("2026-01-03T12:00:00Z");
    const to = new Date("2026-01-07T12:00:00Z");
    const inRange = all.filter((f) => f.at >= "2026-01-03T12:00:00Z" && f.at < "2026-01-07T12:00:00Z");
    expect(inRange).toHaveLength(4);
    expect(await myFills(t.db, { playerId: a, from, to })).toEqual(inRange);
    const combined = await myFills(t.db, { playerId: a, market: ore, side: "buy", from: new Date("2026-01-02T00:00:00Z") });
    expect(combined).toEqual(all.filter((f) => f.market === ore && f.side === "buy" && f.at >= "2026-01-02"));
    expect(combined.length).toBeGreaterThan(0);
    expect(await myFills(t.db, { playerId: a, from: new Date("2027-01-01T00:00:00Z") })).toEqual([]);
  });

  it("pages older with a cursor: no fill twice, none missed, also under a filter", async () => {
    const seen: MyFill[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await myFillsPage(t.db, { playerId: a, limit: 5, before });
      seen.push(...page.fills);
      if (!page.nextCursor) break;
      expect(page.fills).toHaveLength(5);
      before = Number(page.nextCursor);
    }
    expect(seen).toEqual(all);
    const sells = all.filter((f) => f.side === "sell");
    const first = await myFillsPage(t.db, { playerId: a, side: "sell", limit: 2 });
    expect(first.fills).toEqual(sells.slice(0, 2));
    const second = await myFillsPage(t.db, { playerId: a, side: "sell", limit: 100, before: Number(first.nextCursor) });
    expect(second).toEqual({ fills: sells.slice(2), nextCursor: null });
    // Fills of one batch share their time: the row id breaks the tie, so paging does not skip them.
    await t.db.execute(sql`update fills set created_at = timestamptz '2026-02-01T00:00:00Z' where market_slug in (${ore}, ${herb})`);
    const tied: MyFill[] = [];
    before = undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await myFillsPage(t.db, { playerId: a, limit: 5, before });
      tied.push(...page.fills);
      if (!page.nextCursor) break;
      before = Number(page.nextCursor);
    }
    expect(tied.map((f) => f.id)).toEqual(all.map((f) => f.id).sort((x, y) => y - x));
    await t.db.execute(sql`
      update fills f set created_at = timestamptz '2026-01-01T12:00:00Z' + (r.n - 1) * interval '1 day'
      from (select id, row_number() over (order by id) as n from fills where market_slug in (${ore}, ${herb})) r where r.id = f.id`);
  });

  it("totals what I paid, received and gave in fees over the filtered set", async () => {
    const sum = (fs: MyFill[]) => ({
      count: fs.length,
      paid: fs.filter((f) => f.side === "buy").reduce((s, f) => s + f.price * f.quantity + f.fee, 0),
      received: fs.filter((f) => f.side === "sell").reduce((s, f) => s + f.price * f.quantity - f.fee, 0),
      fees: fs.reduce((s, f) => s + f.fee, 0),
    });
    expect(await myFillsTotals(t.db, { playerId: a })).toEqual(sum(all));
    expect(await myFillsTotals(t.db, { playerId: a, market: ore, side: "sell" })).toEqual(sum(all.filter((f) => f.market === ore && f.side === "sell")));
    expect(await myFillsTotals(t.db, { playerId: a, from: new Date("2030-01-01") })).toEqual({ count: 0, paid: 0, received: 0, fees: 0 });
  });

  it("never shows another player's fills", async () => {
    const c = await fundedTrader(t.db, []);
    expect(await myFills(t.db, { playerId: c })).toEqual([]);
    expect(await myFillsPage(t.db, { playerId: c, limit: 5, before: all[3]!.id })).toEqual({ fills: [], nextCursor: null });
  });
});
