import { describe, expect, it } from "vitest";
import { Rng } from "../party/engine/random-stream";
import { bestOf, ladder, reconcile, take, walk } from "./quotes";
import { itemGrant, marketProfiles, npcs } from "./world";
import { catalog } from "../db/catalog-data";

const rulesOf = (slug: string) => {
  const c = catalog.find((x) => x.slug === slug)!;
  return { tickSize: c.tickSize ?? 1, lotSize: c.lotSize ?? 1 };
};

describe("the world's data", () => {
  it("prices every market on its tick, and every market has an inner and an outer maker", () => {
    for (const m of marketProfiles) {
      const rules = rulesOf(m.slug);
      expect(catalog.some((c) => c.slug === m.slug && c.stackable), m.slug).toBe(true);
      expect(m.reference % rules.tickSize, m.slug).toBe(0);
      const makers = npcs.filter((n) => n.role === "maker" && n.markets.includes(m.slug));
      expect(makers.length, m.slug).toBe(2);
      expect(itemGrant(m, rules.lotSize) % rules.lotSize).toBe(0);
    }
    for (const n of npcs) expect(n.username).toMatch(/^[A-Za-z0-9_-]{3,24}$/);
  });
});

describe("walk", () => {
  it("stays on the tick, within half and twice the anchor, and reverts towards it", () => {
    for (const m of marketProfiles) {
      const rules = rulesOf(m.slug);
      const rng = new Rng(7);
      let p = m.reference;
      let sum = 0;
      for (let i = 0; i < 5_000; i++) {
        p = walk(p, m.reference, rules, rng);
        expect(Number.isSafeInteger(p)).toBe(true);
        expect(p % rules.tickSize).toBe(0);
        expect(p).toBeGreaterThanOrEqual(Math.floor(m.reference / 2) - rules.tickSize);
        expect(p).toBeLessThanOrEqual(m.reference * 2);
        sum += p;
      }
      const mean = sum / 5_000;
      expect(Math.abs(mean - m.reference) / m.reference, m.slug).toBeLessThan(0.15);
    }
  });

  it("moves: a week of steps is not flat", () => {
    const rng = new Rng(3);
    const seen = new Set<number>();
    let p = 120;
    for (let i = 0; i < 200; i++) seen.add((p = walk(p, 120, { tickSize: 1, lotSize: 10 }, rng)));
    expect(seen.size).toBeGreaterThan(5);
  });
});

describe("ladder", () => {
  it("quotes bids below and asks above the reference, on tick and lot, spread at least one tick", () => {
    for (const m of marketProfiles) {
      const rules = rulesOf(m.slug);
      const quotes = ladder(m.reference, rules, { levels: 3, offset: 0, lots: m.lots, rng: new Rng(1) });
      const bids = quotes.filter((q) => q.side === "buy");
      const asks = quotes.filter((q) => q.side === "sell");
      expect(asks).toHaveLength(3);
      expect(bids.length).toBeGreaterThan(0);
      for (const q of quotes) {
        expect(q.price % rules.tickSize).toBe(0);
        expect(q.quantity % rules.lotSize).toBe(0);
        expect(q.quantity).toBeGreaterThan(0);
        expect(q.price).toBeGreaterThan(0);
      }
      expect(Math.max(...bids.map((q) => q.price))).toBeLessThan(m.reference);
      expect(Math.min(...asks.map((q) => q.price))).toBeGreaterThan(m.reference);
    }
  });

  it("an outer maker quotes behind the inner one", () => {
    const rules = { tickSize: 1, lotSize: 1 };
    const inner = ladder(1_000, rules, { levels: 3, offset: 0, lots: [1, 2], rng: new Rng(1) });
    const outer = ladder(1_000, rules, { levels: 2, offset: 3, lots: [1, 2], rng: new Rng(1) });
    expect(Math.min(...outer.filter((q) => q.side === "sell").map((q) => q.price))).toBeGreaterThan(Math.max(...inner.filter((q) => q.side === "sell").map((q) => q.price)));
    expect(Math.max(...outer.filter((q) => q.side === "buy").map((q) => q.price))).toBeLessThan(Math.min(...inner.filter((q) => q.side === "buy").map((q) => q.price)));
  });
});

describe("take", () => {
  it("crosses at the best price of the side the price moved towards", () => {
    const rng = new Rng(11);
    const book = { bestBid: 118, bestAsk: 122 };
    let buys = 0;
    let sells = 0;
    for (let i = 0; i < 1_000; i++) {
      const o = take(book, 125, 120, { tickSize: 1, lotSize: 10 }, { lots: [1, 6], rng });
      if (!o) continue;
      expect(o.price).toBe(o.side === "buy" ? 122 : 118);
      expect(o.quantity % 10).toBe(0);
      if (o.side === "buy") buys++;
      else sells++;
    }
    expect(buys).toBeGreaterThan(sells * 2);
    expect(buys + sells).toBeGreaterThan(450);
    expect(buys + sells).toBeLessThan(750);
  });

  it("does nothing on an empty side", () => {
    const rng = new Rng(2);
    for (let i = 0; i < 100; i++) {
      const o = take({}, 120, 120, { tickSize: 1, lotSize: 1 }, { lots: [1, 2], rng });
      expect(o).toBeUndefined();
    }
  });
});

describe("reconcile", () => {
  it("amends in place, places what is missing and cancels the rest", () => {
    const resting = [
      { id: "b1", side: "buy" as const, price: 100, remaining: 5 },
      { id: "b2", side: "buy" as const, price: 99, remaining: 5 },
      { id: "s1", side: "sell" as const, price: 101, remaining: 5 },
    ];
    const wanted = [
      { side: "buy" as const, price: 100, quantity: 5 },
      { side: "sell" as const, price: 102, quantity: 3 },
      { side: "sell" as const, price: 103, quantity: 4 },
    ];
    expect(reconcile(resting, wanted)).toEqual([
      { type: "cancel", id: "b2" },
      { type: "amend", id: "s1", price: 102, quantity: 3 },
      { type: "place", quote: { side: "sell", price: 103, quantity: 4 } },
    ]);
    expect(reconcile(resting.slice(0, 1), wanted.slice(0, 1))).toEqual([]);
  });

  it("bestOf finds the best bid and ask", () => {
    expect(bestOf([{ side: "buy", price: 5 }, { side: "buy", price: 7 }, { side: "sell", price: 9 }, { side: "sell", price: 8 }, { side: "buy", price: null }])).toEqual({ bestBid: 7, bestAsk: 8 });
    expect(bestOf([])).toEqual({ bestBid: undefined, bestAsk: undefined });
  });
});
