import { describe, expect, it } from "vitest";
import { formatCount, formatGold } from "../../app/utils/money";

describe("formatGold (integer copper -> gold with 2 decimals, integer math only)", () => {
  it.each([
    [0, "0.00"],
    [5, "0.05"],
    [100, "1.00"],
    [123_456, "1,234.56"],
    [100_000, "1,000.00"],
    [-5, "-0.05"],
    [Number.MAX_SAFE_INTEGER, "90,071,992,547,409.91"],
  ])("%i copper is %s gold", (copper, gold) => {
    expect(formatGold(copper)).toBe(gold);
  });

  it("refuses non-integers rather than rounding them", () => {
    for (const bad of [0.1, NaN, Infinity, 2 ** 53]) expect(() => formatGold(bad)).toThrow(RangeError);
  });

  it("formats counts with separators", () => {
    expect(formatCount(1_234_567)).toBe("1,234,567");
  });
});
