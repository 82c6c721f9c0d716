import { describe, expect, it } from "vitest";
import { averagePrice, fillAlert, offerAlert, orderEndedAlert, priceAlert } from "./text";

const iron = { slug: "iron-ore", name: "Iron Ore", icon: "⛏️" };

describe("alert words", () => {
  it("says what a fill did, in gold, with the order and batch as its key", () => {
    const a = fillAlert(iron, { orderId: "o1", playerId: "p", side: "sell", quantity: 20, notional: 2_540, minPrice: 127, maxPrice: 127, firstSeq: 9, remaining: 0, status: "filled" });
    expect(a).toMatchObject({ kind: "fill", title: "Sold 20 Iron Ore at 1.27 gold", body: "Your sell order is filled.", url: "/markets/iron-ore", dedupeKey: "fill:o1:9" });
  });

  it("gives the floored average of several fills and what is left on the book", () => {
    const a = fillAlert(iron, { orderId: "o1", playerId: "p", side: "buy", quantity: 3, notional: 100 + 101 + 101, minPrice: 100, maxPrice: 101, firstSeq: 1, remaining: 7, status: "open" });
    expect(a.title).toBe("Bought 3 Iron Ore at 1.00 gold on average");
    expect(a.body).toBe("Partly filled: 7 still on the book.");
    expect(averagePrice(302, 3)).toBe(100);
    expect(averagePrice(1_000_000_000 * 1_000_000 - 1, 1_000_000)).toBe(999_999_999);
  });

  it("names why the market ended an order", () => {
    expect(orderEndedAlert(iron, { orderId: "o", playerId: "p", side: "buy", price: 150, remaining: 5, reason: "expired" })).toMatchObject({
      title: "Your buy order expired", dedupeKey: "order_ended:o",
    });
    expect(orderEndedAlert(iron, { orderId: "o", playerId: "p", side: "sell", price: 150, remaining: 5, reason: "self_trade" }).body).toContain("self-trade prevention");
  });

  it("words price and offer alerts", () => {
    const p = priceAlert(iron, { id: "a1", playerId: "p", direction: "above", price: 125, repeating: false }, 130, 5);
    expect(p).toMatchObject({ kind: "price", title: "Iron Ore traded at 1.30 gold", dedupeKey: "price:a1:5", priceAlertId: "a1" });
    expect(p.body).toContain("at or above 1.25 gold");
    expect(offerAlert("received", { playerId: "p", offerId: "x", other: "bob" })).toMatchObject({
      kind: "offer_received", title: "New trade offer from bob", url: "/offers/x", dedupeKey: "offer_received:x",
    });
  });
});
