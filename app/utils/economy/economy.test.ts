import { describe, expect, it } from "vitest";
import { gini, topShare, velocity } from "./inequality";
import { inflationRate, laspeyres } from "./price-index";

describe("gini", () => {
  it("is 0 when all hold the same, and for nobody or nothing", () => {
    expect(gini([500, 500, 500, 500])).toBe(0);
    expect(gini([])).toBe(0);
    expect(gini([0, 0, 0])).toBe(0);
  });
  it("is (n-1)/n when one holds everything: near 1 for many", () => {
    expect(gini([0, 0, 0, 1_000])).toBe(0.75);
    const many = Array.from({ length: 10_000 }, (_, i) => (i === 7 ? 5_000_000 : 0));
    expect(gini(many)).toBe(0.9999);
  });
  it("matches the mean absolute difference on a known distribution, in any order", () => {
    // 1,2,3,4: sum |xi - xj| over all pairs (ordered) = 20; G = 20 / (2 * 16 * 2.5) = 0.25
    expect(gini([3, 1, 4, 2])).toBe(0.25);
    const xs = [7, 0, 13, 13, 250, 1, 99];
    let diff = 0;
    for (const a of xs) for (const b of xs) diff += Math.abs(a - b);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(gini(xs)).toBe(Math.round((diff / (2 * xs.length ** 2 * mean)) * 10_000) / 10_000);
  });
  it("stays exact past 2^53 in the sums", () => {
    expect(gini([9e15, 9e15, 9e15])).toBe(0);
    expect(gini([0, 9e15])).toBe(0.5);
  });
});

describe("top share", () => {
  it("is the richest fraction's share, at least one player", () => {
    const xs = Array.from({ length: 100 }, (_, i) => (i === 0 ? 901 : 1));
    expect(topShare(xs, 0.01)).toBe(0.901); // 901 of 1000
    expect(topShare(xs, 0.1)).toBe(0.91); // 901 + 9 of 1000
    expect(topShare([5, 5], 0.01)).toBe(0.5);
    expect(topShare([], 0.1)).toBe(0);
  });
});

describe("velocity", () => {
  it("is traded value over money supply", () => {
    expect(velocity(2_500, 1_000)).toBe(2.5);
    expect(velocity(1, 3)).toBe(0.3333);
    expect(velocity(10, 0)).toBe(0);
  });
});

describe("laspeyres price index", () => {
  // Hand-computed. Base day: A 10 units for 100 (p0 10), B 5 units for 250 (p0 50); base value 350,
  // weights A 100/350, B 250/350. C traded only later: not in the basket.
  const base = [
    { item: 1, quantity: 4, notional: 40 },
    { item: 1, quantity: 6, notional: 60 },
    { item: 2, quantity: 5, notional: 250 },
  ];
  const periods = [
    // A at 12, B not traded (keeps 50): (10*12 + 5*50) / 350 = 370/350 -> 105.71, coverage 100/350
    { key: "d1", trades: [{ item: 1, quantity: 2, notional: 24 }, { item: 3, quantity: 1, notional: 9_999 }] },
    // A at 11, B at 60: (10*11 + 5*60) / 350 = 410/350 -> 117.14, coverage 1
    { key: "d2", trades: [{ item: 1, quantity: 1, notional: 11 }, { item: 2, quantity: 2, notional: 120 }] },
    // nothing traded: prices kept, coverage 0
    { key: "d3", trades: [] },
  ];
  it("weighs the base period's traded value, carries missing prices, shows coverage", () => {
    const { basket, points } = laspeyres(base, [{ key: "d0", trades: base }, ...periods]);
    expect(basket).toEqual([
      { item: 2, weight: 0.7143, basePrice: 50 },
      { item: 1, weight: 0.2857, basePrice: 10 },
    ]);
    expect(points).toEqual([
      { key: "d0", index: 100, coverage: 1, priced: 2 },
      { key: "d1", index: 105.71, coverage: 0.2857, priced: 1 },
      { key: "d2", index: 117.14, coverage: 1, priced: 2 },
      { key: "d3", index: 117.14, coverage: 0, priced: 0 },
    ]);
    expect(inflationRate(points)).toBe(17.14);
    expect(inflationRate(points.slice(1, 3))).toBe(10.81); // 117.14 / 105.71 - 1
  });
  it("is 100 with an empty basket and has no rate with one point", () => {
    expect(laspeyres([], periods).points.map((p) => p.index)).toEqual([100, 100, 100]);
    expect(inflationRate([{ key: "x", index: 120, coverage: 1, priced: 1 }])).toBe(0);
  });
});
