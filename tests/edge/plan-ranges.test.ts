/**
 * A plan made on remembered amounts (party/settlement/ranges.ts, ADR 042): for every wallet a funds
 * check looked at, the recorded range [lo, hi) is exactly the set of starting amounts for which the
 * planner gives the same plan. Randomized: books, batches and wallets; each plan is compared with
 * plans made from other starting amounts, inside the ranges (the same plan) and just outside one
 * (a different one). Pure: no database.
 */
import { describe, expect, it } from "vitest";
import { createBook, type OrderBook } from "../../party/engine";
import { planBatch } from "../../party/settlement/plan";
import { AmountRanges } from "../../party/settlement/ranges";
import type { BatchPlan, MarketCommand, MarketConfig, OrderRow, Wallets } from "../../party/settlement/types";
import { prng } from "../support/world";

const config: MarketConfig = { slug: "iron-ore", itemTypeId: 7, tickSize: 1, lotSize: 1, makerFeeBps: 10, takerFeeBps: 25, status: "open" };
const NOW = 1_800_000_000_000;
const players = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`);

interface Case {
  commands: MarketCommand[];
  wallets: Wallets;
}

function randomCase(seed: number): Case {
  const r = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const wallets: Wallets = { currency: new Map(), items: new Map() };
  // Small amounts, so that many checks fail and many pass.
  for (const p of players) {
    wallets.currency.set(p, int(0, 3_000));
    if (r() < 0.8) wallets.items.set(p, int(0, 30));
  }
  const commands: MarketCommand[] = [];
  for (let i = 0; i < int(5, 25); i++) {
    const playerId = players[int(0, players.length - 1)]!;
    const side = r() < 0.5 ? "buy" : "sell";
    if (r() < 0.85) {
      commands.push({ type: "place", playerId, clientOrderId: `c${seed}-${i}`, side, orderType: "limit", price: int(90, 110), quantity: int(1, 12) });
    } else {
      commands.push({ type: "place", playerId, clientOrderId: `m${seed}-${i}`, side, orderType: "market", quantity: int(1, 8), ...(side === "buy" ? { budget: int(100, 1_500) } : {}) });
    }
  }
  return { commands, wallets };
}

function copy(w: Wallets): Wallets {
  return { currency: new Map(w.currency), items: new Map(w.items) };
}

function plan(c: Case, wallets: Wallets, ranges?: AmountRanges): BatchPlan {
  let n = 0;
  const book: OrderBook = createBook({ tickSize: 1, lotSize: 1 });
  return planBatch({
    config, book, open: new Map<string, OrderRow>(), wallets, commands: c.commands, nextFillSeq: 1, nextPriority: 1, now: NOW, ranges,
    newId: () => `00000000-0000-4000-9000-${String(++n).padStart(12, "0")}`,
  });
}

/** What a plan decides: every answer, fill and posting. */
const decisions = (p: BatchPlan) => JSON.stringify({ answers: p.answers.map((a) => [a.ok, a.code, a.order?.status, a.order?.filled, a.order?.reserved]), fills: p.fills, postings: p.entries.map((e) => e.postings) });

const assetOf = (kind: "currency" | "items") => (kind === "currency" ? 0 : config.itemTypeId);

describe("plans on remembered amounts: the ranges of the funds checks", () => {
  it("inside every range the plan is the same; one step outside a bound it is not", () => {
    let inside = 0;
    let outside = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const c = randomCase(seed);
      const ranges = new AmountRanges(c.wallets, config.itemTypeId);
      const reference = decisions(plan(c, copy(c.wallets), ranges));
      const list = ranges.list();
      const r = prng(seed * 7919);
      // Every wallet moved at once to another amount inside its range: the same plan.
      for (let k = 0; k < 5; k++) {
        const moved = copy(c.wallets);
        for (const range of list) {
          const kind = range.asset === 0 ? "currency" : "items";
          const lo = Math.max(range.lo, 0);
          const hi = range.hi ?? lo + 5_000;
          if (hi <= lo) continue;
          moved[kind].set(range.player, lo + Math.floor(r() * (hi - lo)));
        }
        if (!list.every((g) => ranges.holds(g.player, g.asset, moved[g.asset === 0 ? "currency" : "items"].get(g.player) ?? 0))) continue;
        expect(decisions(plan(c, moved))).toBe(reference);
        inside++;
      }
      // One wallet one below its lower bound, or at its upper bound: another plan.
      for (const range of list) {
        const kind = range.asset === 0 ? "currency" : "items";
        for (const amount of [range.lo - 1, range.hi]) {
          if (amount === null || amount < 0 || range.lo === Number.MIN_SAFE_INTEGER && amount === range.lo - 1) continue;
          const moved = copy(c.wallets);
          moved[kind].set(range.player, amount);
          expect(decisions(plan(c, moved)), `seed ${seed} ${range.player} ${assetOf(kind)} at ${amount}`).not.toBe(reference);
          outside++;
        }
      }
    }
    // The cases exercise both sides.
    expect(inside).toBeGreaterThan(500);
    expect(outside).toBeGreaterThan(500);
  });

  it("records nothing for a wallet no check looked at, and holds() is true for it", () => {
    const w: Wallets = { currency: new Map([[players[0]!, 1_000]]), items: new Map() };
    const ranges = new AmountRanges(w, 7);
    ranges.saw("currency", players[0]!, 1_000, 400); // passes: start >= 400
    ranges.saw("currency", players[0]!, 600, 700); // 400 held back already: fails, start < 1,100
    expect(ranges.list()).toEqual([{ player: players[0], asset: 0, lo: 400, hi: 1_100 }]);
    expect([ranges.holds(players[0]!, 0, 399), ranges.holds(players[0]!, 0, 400), ranges.holds(players[0]!, 0, 1_099), ranges.holds(players[0]!, 0, 1_100)]).toEqual([false, true, true, false]);
    expect(ranges.holds(players[1]!, 0, 0)).toBe(true);
  });
});
