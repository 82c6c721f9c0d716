import { describe, expect, it } from "vitest";
import type { TradingLimits } from "../settlement/limits";
import type { FillRow } from "../settlement/types";
import { LimitMemory, type LimitsRead } from "./limit-memory";

const HOUR = 3_600_000;
const limits = (buyWindowSeconds = 4 * 3600): TradingLimits => ({
  buyLimit: 10, buyWindowSeconds, minAccountAgeSeconds: null, newAccountMaxOrderValue: null, newAccountAgeSeconds: null,
});
const read = (l: TradingLimits, signedUp: [string, number][] = [], bought: [string, Array<[number, number]>][] = []): LimitsRead => ({
  limits: l, signedUp: new Map(signedUp), bought: new Map(bought),
});
let seq = 0;
const fill = (buyer: string, seller: string, quantity: number, takerSide: "buy" | "sell" = "buy"): FillRow => ({
  seq: ++seq, makerOrderId: "m", takerOrderId: "t", price: 100, quantity, makerFee: 0, takerFee: 0, takerSide,
  takerPlayerId: takerSide === "buy" ? buyer : seller, makerPlayerId: takerSide === "buy" ? seller : buyer,
});

describe("LimitMemory", () => {
  it("asks only for players it has not met, and keeps the sign-up times and purchases it read", () => {
    const m = new LimitMemory();
    expect(m.unknown(["a", "b", "a"], ["a"])).toEqual({ traders: ["a", "b"], buyers: ["a"] });
    const r = read(limits(), [["a", 1], ["b", 2]], [["a", [[5 * HOUR, 3]]]]);
    m.committed(r, ["a"], [], 6 * HOUR);
    expect(m.unknown(["a", "b", "c"], ["a", "b"])).toEqual({ traders: ["c"], buyers: ["b"] });
    // The next batch reads nothing for a and b: the view comes from memory.
    const view = m.view(read(limits()), ["a", "b"], ["a"], [], 6 * HOUR);
    expect(view.signedUp).toEqual(new Map([["a", 1], ["b", 2]]));
    expect(view.bought.get("a")).toEqual([[5 * HOUR, 3]]);
  });

  it("adds the batch's fills to the buyers it holds, taker or maker, and not to sellers", () => {
    const m = new LimitMemory();
    m.committed(read(limits()), ["a", "b"], [fill("a", "s", 2), fill("b", "s", 4, "sell")], HOUR);
    const view = m.view(read(limits()), [], ["a", "b", "s"], [], HOUR + 1);
    expect(view.bought.get("a")).toEqual([[HOUR, 2]]);
    expect(view.bought.get("b")).toEqual([[HOUR, 4]]); // a resting bid filled by a seller
    expect(view.bought.has("s")).toBe(false);
    // A buyer never read is not made up from one fill: it is read whole when next met.
    m.committed(read(limits()), [], [fill("z", "s", 1)], HOUR + 2);
    expect(m.unknown([], ["z"]).buyers).toEqual(["z"]);
  });

  it("leaves purchases older than the window out of the view, and drops them from active buyers", () => {
    const m = new LimitMemory();
    m.committed(read(limits(1), [], [["a", [[2_000, 1], [0, 5]]]]), ["a"], [], 2_000);
    const later = m.view(read(limits(1)), [], ["a"], [], 2_500);
    expect(later.bought.get("a")).toEqual([[2_000, 1]]); // sorted; the one at 0 is out of the 1 s window
    m.committed(read(limits(1)), [], [fill("a", "s", 7)], 3_500);
    expect(m.view(read(limits(1)), [], ["a"], [], 3_600).bought.get("a")).toEqual([[3_500, 7]]);
  });

  it("a new buy window is not served from memory; forget() starts over", () => {
    const m = new LimitMemory();
    m.committed(read(limits(3600), [["a", 1]], [["a", []]]), ["a"], [], HOUR);
    expect(m.holdsFor(limits(3600))).toBe(true);
    expect(m.holdsFor(limits(7200))).toBe(false);
    m.forget();
    expect(m.holdsFor(limits(7200))).toBe(true);
    expect(m.unknown(["a"], ["a"])).toEqual({ traders: ["a"], buyers: ["a"] });
  });

  it("what was just read wins over memory for the buyers the batch asked about", () => {
    const m = new LimitMemory();
    m.committed(read(limits()), ["a"], [fill("a", "s", 1)], HOUR);
    const view = m.view(read(limits(), [], [["a", [[HOUR, 9]]]]), [], ["a"], ["a"], HOUR + 1);
    expect(view.bought.get("a")).toEqual([[HOUR, 9]]);
  });
});
