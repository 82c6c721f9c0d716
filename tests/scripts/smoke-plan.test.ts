import { describe, expect, it } from "vitest";
import { expectedAfter, planTrade } from "../../scripts/smoke/plan";

const market = { tickSize: 5, lotSize: 2, last: null, bids: [] as Array<[number, number]>, asks: [] as Array<[number, number]> };

describe("the smoke's trade plan", () => {
  it("rests the seller's ask one tick above the best bid, below every other ask", () => {
    expect(planTrade({ ...market, bids: [[100, 3]], asks: [[120, 1]] }, 100_000, 20)).toEqual({ ok: true, price: 105, quantity: 2 });
  });

  it("uses the last price (on the tick grid) or 100 ticks on an empty book", () => {
    expect(planTrade({ ...market, last: 333 }, 100_000, 20)).toEqual({ ok: true, price: 335, quantity: 2 });
    expect(planTrade(market, 100_000, 20)).toEqual({ ok: true, price: 500, quantity: 2 });
  });

  it("says why when the trade cannot be isolated or paid", () => {
    expect(planTrade({ ...market, bids: [[100, 1]], asks: [[105, 1]] }, 100_000, 20)).toMatchObject({ ok: false, reason: expect.stringContaining("no room inside the spread") });
    expect(planTrade({ ...market, last: 40_000 }, 100_000, 20)).toMatchObject({ ok: false, reason: expect.stringContaining("cannot pay") });
    expect(planTrade(market, 100_000, 1)).toMatchObject({ ok: false, reason: "the seller holds 1, the market's lot is 2" });
  });

  it("moves the value and the items, each side paying its own fee", () => {
    expect(expectedAfter({ seller: { copper: 1_000, items: 20 }, buyer: { copper: 5_000, items: 0 } }, { price: 105, quantity: 2, sellerFee: 2, buyerFee: 4 })).toEqual({
      seller: { copper: 1_208, items: 18 },
      buyer: { copper: 4_786, items: 2 },
    });
  });
});
