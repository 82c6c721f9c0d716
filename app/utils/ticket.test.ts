import { describe, expect, it } from "vitest";
import { MAX_ORDER_QUANTITY, MAX_PRICE } from "../../party/bounds";
import { describe as describeCode, RoomCode } from "../../party/settlement/codes";
import type { Answer, OrderRow } from "../../party/settlement/types";
import { orderOutcome } from "./order-words";
import { checkPrice, checkQuantity, checkTicket, maxBuyQuantity } from "./ticket";

const ore = { name: "Iron Ore", tickSize: 1, lotSize: 10, takerFeeBps: 25 };
const ticket = (fields: Partial<Parameters<typeof checkTicket>[0]> = {}) => ({ side: "buy" as const, orderType: "limit" as const, price: "1.25", quantity: "20", ...fields });

describe("the ticket's checks", () => {
  it("accepts gold with up to two decimals on the tick", () => {
    expect(checkPrice("1.25", ore)).toEqual({ price: 125 });
    expect(checkPrice("3", ore)).toEqual({ price: 300 });
    expect(checkPrice("1,5", ore)).toEqual({ price: 150 });
    expect(checkPrice("1.230", ore)).toEqual({ price: 123 });
  });

  it("says the tick and two prices on it for 1.234", () => {
    expect(checkPrice("1.234", ore).error).toBe("The price must be a multiple of 0.01 gold (the tick size). Try 1.23 or 1.24.");
    expect(checkPrice("1.23", { tickSize: 5 }).error).toBe("The price must be a multiple of 0.05 gold (the tick size). Try 1.20 or 1.25.");
  });

  it("names the field and the bound", () => {
    expect(checkPrice("", ore).error).toMatch(/^Enter a price/);
    expect(checkPrice("abc", ore).error).toMatch(/^Enter the price as a number/);
    expect(checkPrice("0", ore).error).toBe("The price must be at least 0.01 gold.");
    expect(checkPrice(String(MAX_PRICE / 100), ore)).toEqual({ price: MAX_PRICE });
    expect(checkPrice(String(MAX_PRICE / 100 + 1), ore).error).toBe("The price can be at most 10,000,000.00 gold. Enter a lower price.");
    expect(checkPrice("9".repeat(40), ore).error).toMatch(/at most 10,000,000.00 gold/);
    expect(checkQuantity(String(MAX_ORDER_QUANTITY), ore)).toEqual({ quantity: MAX_ORDER_QUANTITY });
    expect(checkQuantity(String(MAX_ORDER_QUANTITY + 10), ore).error).toBe("One order can be at most 1,000,000 items. Enter a smaller quantity.");
    expect(checkQuantity("0", ore).error).toBe("The quantity must be at least 10.");
    expect(checkQuantity("15", ore).error).toBe("The quantity must be a multiple of 10 (the lot size). Try 10 or 20.");
    expect(checkQuantity("2.5", ore).error).toMatch(/whole number of items/);
  });

  it("checks a sell against the items held and a buy against the gold, fee included", () => {
    expect(checkTicket(ticket({ side: "sell", quantity: "50" }), ore, { gold: 0, items: 45 }).errors.quantity).toBe(
      "You have 45 Iron Ore available to sell. Lower the quantity to 40 or less.",
    );
    expect(checkTicket(ticket({ side: "sell", quantity: "10" }), ore, { gold: 0, items: 0 }).errors.quantity).toMatch(/^You have no Iron Ore available/);
    expect(checkTicket(ticket({ side: "sell", quantity: "40" }), ore, { gold: 0, items: 45 }).errors).toEqual({});
    // 20 x 1.25 = 25.00 gold + 0.06 fee: 25.00 is not enough, 25.06 is.
    const short = checkTicket(ticket(), ore, { gold: 2_500, items: 0 });
    expect(short.errors.quantity).toBe("Not enough gold: this order costs up to 25.06 gold with the fee, and you have 25.00 gold available. Lower the quantity to 10 or less at this price, or lower the price.");
    expect(checkTicket(ticket(), ore, { gold: 2_506, items: 0 }).errors).toEqual({});
    expect(maxBuyQuantity(2_506, 125, ore)).toBe(20);
    expect(maxBuyQuantity(2_505, 125, ore)).toBe(10);
  });
});

describe("the words for what happened", () => {
  const order = (o: Partial<OrderRow>): OrderRow => ({
    id: "o1", playerId: "p", clientOrderId: "c", side: "buy", kind: "limit", timeInForce: "GTC", stp: "none", code: 0,
    price: 128, quantity: 20, remaining: 0, filled: 20, reserved: 0, status: "filled", seq: 1, priority: 0, expiresAt: null, ...o,
  });
  const fill = (price: number, quantity: number) => ({ seq: 1, makerOrderId: "m", takerOrderId: "o1", makerPlayerId: "q", takerPlayerId: "p", takerSide: "buy" as const, price, quantity, makerFee: 0, takerFee: 0 });
  const ok = (o: Partial<OrderRow>, fills = [fill(128, 20)]): Answer => ({ ok: true, code: 0, reason: "OK", message: "Done.", order: order(o), fills });

  it("a limit order that traded completely on arrival is filled at once, not 'at market'", () => {
    expect(orderOutcome(ok({}), "Iron Ore")).toBe("Filled at once: bought 20 Iron Ore at 1.28 gold.");
    expect(orderOutcome(ok({}, [fill(127, 10), fill(128, 10)]), "Iron Ore")).toBe("Filled at once: bought 20 Iron Ore at 1.27-1.28 gold.");
  });
  it("partly filled and resting; resting; market orders at market", () => {
    expect(orderOutcome(ok({ status: "open", filled: 10, remaining: 10 }, [fill(128, 10)]), "Iron Ore")).toBe(
      "Partly filled: bought 10 of 20 at 1.28 gold; the other 10 rest on the book at 1.28 gold.",
    );
    expect(orderOutcome(ok({ status: "open", filled: 0, remaining: 20, side: "sell" }, []), "Iron Ore")).toBe("Placed: your sell order for 20 Iron Ore rests on the book at 1.28 gold.");
    expect(orderOutcome(ok({ kind: "market", price: null }), "Iron Ore")).toBe("Filled at market: bought 20 Iron Ore at 1.28 gold.");
    expect(orderOutcome(ok({ kind: "market", price: null, status: "canceled", filled: 0, remaining: 0 }, []), "Iron Ore")).toMatch(/^Not filled: no sellers/);
  });
  it("a refusal is the room's sentence, never a machine code", () => {
    const refused: Answer = { ok: false, code: RoomCode.INSUFFICIENT_ITEMS, ...describeCode(RoomCode.INSUFFICIENT_ITEMS) };
    expect(orderOutcome(refused, "Iron Ore")).toMatch(/^Not enough available items/);
    for (const code of [0, 100, 111, 121, 210, 211, 220, 230, 300, 500, 999]) {
      const { message, reason } = describeCode(code);
      expect(message, reason).toMatch(/^[A-Z].*[.)]$/);
      expect(message, reason).not.toContain(reason);
    }
  });
});
