import { describe, expect, it } from "vitest";
import { judgeOffer, type OfferLine } from "./offers";

const prices = { stack: (id: number) => (id === 1 ? 120 : undefined), unique: (id: number) => (id === 50 ? 2_000 : undefined) };
const line = (direction: OfferLine["direction"], kind: OfferLine["kind"], quantity: number, itemTypeId: number | null = null): OfferLine => ({
  direction, kind, quantity, itemTypeId, name: kind === "currency" ? "Gold" : `type ${itemTypeId}`,
});

describe("judgeOffer", () => {
  it("accepts gold for a sword at or above 95% of its value, declines below", () => {
    expect(judgeOffer([line("give", "currency", 2_000), line("ask", "unique", 1, 50)], prices)).toMatchObject({ accept: true, gets: 2_000, gives: 2_000 });
    expect(judgeOffer([line("give", "currency", 1_900), line("ask", "unique", 1, 50)], prices).accept).toBe(true);
    expect(judgeOffer([line("give", "currency", 1_899), line("ask", "unique", 1, 50)], prices)).toMatchObject({ accept: false, gets: 1_899, gives: 2_000 });
  });

  it("values stacks at their market's last price", () => {
    // 20 ore at 1.20 = 2,400 copper for 2,300 copper: fair; for 2,000 copper: not.
    expect(judgeOffer([line("give", "stack", 20, 1), line("ask", "currency", 2_300)], prices).accept).toBe(true);
    expect(judgeOffer([line("give", "stack", 20, 1), line("ask", "currency", 2_600)], prices).accept).toBe(false);
  });

  it("accepts a gift and declines what it cannot value", () => {
    expect(judgeOffer([line("give", "currency", 1)], prices).accept).toBe(true);
    const unknown = judgeOffer([line("give", "stack", 5, 9), line("ask", "currency", 1)], prices);
    expect(unknown.accept).toBe(false);
    expect(unknown.why).toMatch(/no price known/);
  });
});
