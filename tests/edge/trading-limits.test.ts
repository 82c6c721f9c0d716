/** The planner's trading limits (party/settlement/limits.ts, ADR 027), pure. */
import { describe, expect, it } from "vitest";
import { duration, LimitCheck, orderValue, type LimitsView } from "../../party/settlement/limits";
import { RoomCode } from "../../party/settlement/codes";
import type { OrderRow } from "../../party/settlement/types";

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const H = 3_600_000;
const p = "00000000-0000-4000-8000-000000000001";

function view(partial: Partial<LimitsView["limits"]>, bought: Array<[number, number]> = [], signedUp = NOW - 1000 * H): LimitsView {
  return {
    limits: { buyLimit: null, buyWindowSeconds: 14_400, minAccountAgeSeconds: null, newAccountMaxOrderValue: null, newAccountAgeSeconds: null, ...partial },
    signedUp: new Map([[p, signedUp]]), bought: new Map([[p, bought]]), itemName: "Iron Ore",
  };
}

const openBuy = (remaining: number): OrderRow => ({
  id: "o1", playerId: p, clientOrderId: "c", side: "buy", kind: "limit", timeInForce: "GTC", stp: "cancel_taker", code: 0, price: 10,
  quantity: remaining, remaining, filled: 0, reserved: remaining * 10, status: "open", seq: 1, priority: 1, expiresAt: null,
});

describe("trading limits (pure)", () => {
  it("counts purchases in the window, open buys and buys accepted in the batch", () => {
    const check = new LimitCheck(view({ buyLimit: 10 }, [[NOW - 3 * H, 3]]), new Map([["o1", openBuy(2)]]), NOW);
    expect(check.refuse(p, "buy", 5, 0)).toBeUndefined(); // 3 + 2 + 5 = 10
    check.accept(p, "buy", 5);
    const over = check.refuse(p, "buy", 1, 0)!;
    expect(over.code).toBe(RoomCode.BUY_LIMIT_REACHED);
    // Only the 3 bought 3 h ago can leave the window (at +1 h); that frees enough for 1.
    expect(over.resetsAt).toBe(NOW + H);
    expect(over.message).toContain("so you may buy 0 more now");
    expect(check.refuse(p, "sell", 100, 0)).toBeUndefined();
  });

  it("finds the earliest time enough has left the window, oldest purchases first", () => {
    const check = new LimitCheck(view({ buyLimit: 10 }, [[NOW - H, 4], [NOW - 3 * H, 3], [NOW - 2 * H, 3]]), new Map(), NOW);
    expect(check.refuse(p, "buy", 5, 0)!.resetsAt).toBe(NOW - 2 * H + 4 * H); // 3 (at -3h) + 3 (at -2h) >= 5
    expect(check.refuse(p, "buy", 11, 0)!.message).toContain("This order alone is more than the limit");
  });

  it("gates sells by account age and orders by value for new accounts, with when each lifts", () => {
    const young = NOW - 2 * H;
    const check = new LimitCheck(view({ minAccountAgeSeconds: 86_400, newAccountMaxOrderValue: 1_000, newAccountAgeSeconds: 7 * 86_400 }, [], young), new Map(), NOW);
    expect(check.refuse(p, "sell", 1, 10)).toMatchObject({ code: RoomCode.ACCOUNT_TOO_NEW, resetsAt: young + 24 * H });
    expect(check.refuse(p, "buy", 1, 1_000)).toBeUndefined();
    expect(check.refuse(p, "buy", 1, 1_001)).toMatchObject({ code: RoomCode.ORDER_VALUE_TOO_HIGH, resetsAt: young + 7 * 24 * H });
  });

  it("values orders: limit price x quantity, a market buy's budget, a market sell at the best bid", () => {
    expect(orderValue({ side: "buy", orderType: "limit", price: 7, quantity: 3 }, undefined, undefined)).toBe(21);
    expect(orderValue({ side: "buy", orderType: "market", quantity: 3 }, 500, 9)).toBe(500);
    expect(orderValue({ side: "sell", orderType: "market", quantity: 3 }, undefined, 9)).toBe(27);
    expect(orderValue({ side: "sell", orderType: "market", quantity: 3 }, undefined, undefined)).toBe(0);
    expect([duration(14_400), duration(86_400), duration(90), duration(5_400)]).toEqual(["4 hours", "1 day", "90 seconds", "90 minutes"]);
  });
});
