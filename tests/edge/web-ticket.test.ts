/**
 * The market page's order form (edge/web/market.server.ts) applies the API's bounds
 * (party/bounds.ts) and the market's tick and lot, each message naming its field in a sentence.
 */
import { describe, expect, it } from "vitest";
import { readTicket } from "../../edge/web/market.server";
import { MAX_ORDER_QUANTITY, MAX_PRICE } from "../../party/bounds";

const ore = { name: "Iron Ore", tickSize: 1, lotSize: 10, takerFeeBps: 25 };
const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries({ side: "buy", orderType: "limit", price: "1.25", quantity: "20", clientOrderId: "f1", ...fields })) f.set(k, v);
  return f;
};

describe("the web order form", () => {
  it("reads a good order in copper", () => {
    expect(readTicket(form({}), ore)).toEqual({ side: "buy", orderType: "limit", price: 125, quantity: 20, clientOrderId: "f1" });
    expect(readTicket(form({ price: String(MAX_PRICE / 100), quantity: String(MAX_ORDER_QUANTITY) }), ore)).toMatchObject({ price: MAX_PRICE, quantity: MAX_ORDER_QUANTITY });
  });

  it.each([
    ["a price past the bound", { price: String(MAX_PRICE / 100 + 0.01) }, "price", /^The price can be at most 10,000,000\.00 gold\./],
    ["a price of 14 digits", { price: "12345678901234" }, "price", /^The price can be at most/],
    ["a price off the tick", { price: "1.234" }, "price", /^The price must be a multiple of 0\.01 gold \(the tick size\)\. Try 1\.23 or 1\.24\.$/],
    ["a price of 0", { price: "0" }, "price", /^The price must be at least 0\.01 gold\.$/],
    ["no price", { price: "" }, "price", /^Enter a price/],
    ["a quantity past the bound", { quantity: String(MAX_ORDER_QUANTITY + 10) }, "quantity", /^One order can be at most 1,000,000 items\./],
    ["a quantity off the lot", { quantity: "15" }, "quantity", /^The quantity must be a multiple of 10 \(the lot size\)\. Try 10 or 20\.$/],
    ["a fractional quantity", { quantity: "2.5" }, "quantity", /whole number of items/],
    ["an unknown side", { side: "sideways" }, "side", /^Choose whether to buy or sell\.$/],
  ])("refuses %s, naming the field", (_what, fields, name, message) => {
    const r = readTicket(form(fields), ore);
    expect("fieldErrors" in r).toBe(true);
    if ("fieldErrors" in r) expect(r.fieldErrors[name]).toMatch(message);
  });
});
