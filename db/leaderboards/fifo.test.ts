import { describe, expect, it } from "vitest";
import { bought, realised, sold, type Lot } from "./fifo";

describe("FIFO cost basis", () => {
  it("takes the oldest lots first, a partial lot pro rata, and keeps the rest", () => {
    let lots: Lot[] = [];
    lots = bought(lots, 10, 1_005); // 10 at 100 + fee 5
    lots = bought(lots, 5, 600);
    const a = sold(lots, 3);
    expect(a.cost).toBe(301); // floor(1005 x 3 / 10)
    expect(a.lots).toEqual([[7, 704], [5, 600]]);
    const b = sold(a.lots, 9);
    expect(b.cost).toBe(704 + 240); // the rest of the first lot, then 2 of 5 at 600
    expect(b.lots).toEqual([[3, 360]]);
    // A whole lot's cost is used exactly however it is cut.
    let c: Lot[] = [[7, 1_000]];
    let total = 0;
    for (const q of [2, 2, 2, 1]) {
      const r = sold(c, q);
      total += r.cost;
      c = r.lots;
    }
    expect(total).toBe(1_000);
    expect(c).toEqual([]);
  });

  it("units with no purchase behind them cost nothing", () => {
    const r = sold([[2, 300]], 5);
    expect(r).toEqual({ lots: [], cost: 300 });
    expect(realised(5 * 200, 10, r.cost)).toBe(690);
    expect(sold([], 4)).toEqual({ lots: [], cost: 0 });
  });

  it("stays exact past 2^53 in the product", () => {
    const r = sold([[3, 9_007_199_254_740_000]], 1);
    expect(r.cost).toBe(3_002_399_751_580_000);
  });
});

import { periodOf, weekPeriod } from "./periods";

describe("leaderboard periods", () => {
  it("weeks start on Monday (UTC); worth is always now", () => {
    expect(weekPeriod("2026-12-04T23:59:59Z")).toBe("w:2026-11-30"); // a Friday
    expect(weekPeriod("2026-11-30T00:00:00Z")).toBe("w:2026-11-30");
    expect(weekPeriod("2026-11-29T23:59:59Z")).toBe("w:2026-11-23"); // a Sunday
    expect(periodOf("profit", "day", new Date("2026-12-04T10:00:00Z"))).toBe("d:2026-12-04");
    expect(periodOf("worth", "day")).toBe("all");
  });
});
