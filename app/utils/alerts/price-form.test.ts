import { describe, expect, it } from "vitest";
import { checkPriceAlertForm, priceAlertProblem } from "./price-form";

describe("price alert checks", () => {
  it("accepts prices on the tick and names the nearest ones otherwise", () => {
    expect(priceAlertProblem(125, 5)).toBeUndefined();
    expect(priceAlertProblem(127, 5)).toBe("The price must be a multiple of the market's tick size (5 copper). Try 125 or 130.");
    expect(priceAlertProblem(0, 1)).toMatch(/positive whole number/);
    expect(priceAlertProblem(1.5, 1)).toMatch(/positive whole number/);
    expect(priceAlertProblem(2_000_000_000, 1)).toMatch(/at most/);
  });

  it("reads the market page's form (gold as typed)", () => {
    expect(checkPriceAlertForm({ direction: "below", price: "1.25", repeat: "once" }, 5)).toEqual({ ok: true, direction: "below", price: 125, cooldownSeconds: null });
    expect(checkPriceAlertForm({ direction: "above", price: "2", repeat: "3600" }, 1)).toEqual({ ok: true, direction: "above", price: 200, cooldownSeconds: 3_600 });
    const bad = checkPriceAlertForm({ direction: "sideways", price: "1.27", repeat: "7" }, 5);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors).toEqual({
      direction: "Choose at or above, or at or below.",
      price: expect.stringContaining("multiple of 0.05 gold"),
      repeat: "Choose once, or how often it may repeat.",
    });
  });
});
