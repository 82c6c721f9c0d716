import { describe, expect, it } from "vitest";
import type { Trade } from "../../../party/protocol";
import { UnseenTrades } from "./unseen-trades";

const trade = (seq: number, price = 100, quantity = 1): Trade => ({ seq, price, quantity, takerSide: "buy", at: 1_700_000_000_000 + seq * 1000 });
/** The feed's window: its newest `n` trades, newest first. */
const windowOf = (upTo: number, n: number) => Array.from({ length: Math.min(n, upTo) }, (_, i) => trade(upTo - i));

describe("trades that reach a chart off screen", () => {
  it("keeps every trade after the drawn one, even those the feed's window has since dropped", () => {
    const unseen = new UnseenTrades();
    // The chart drew up to seq 10; the feed keeps 5 trades; 12 more come while it is off screen.
    for (let s = 11; s <= 22; s++) unseen.add(windowOf(s, 5), 10);
    const drawn = unseen.take(windowOf(22, 5));
    expect(drawn.map((t) => t.seq)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]);
    expect(unseen.size).toBe(0);
  });

  it("ignores trades already drawn and counts a trade seen twice once", () => {
    const unseen = new UnseenTrades();
    unseen.add([trade(3), trade(4), trade(5)], 4);
    unseen.add([trade(5), trade(6)], 4);
    expect(unseen.size).toBe(2);
    expect(unseen.take([trade(6), trade(5)]).map((t) => t.seq)).toEqual([5, 6]);
  });

  it("with nothing kept, draws the feed's trades as they are", () => {
    const latest = windowOf(9, 3);
    expect(new UnseenTrades().take(latest)).toEqual(latest);
  });

  it("is full at its limit, so the chart draws rather than keep more", () => {
    const unseen = new UnseenTrades(3);
    unseen.add([trade(1), trade(2)], 0);
    expect(unseen.full).toBe(false);
    unseen.add([trade(3)], 0);
    expect(unseen.full).toBe(true);
  });
});
