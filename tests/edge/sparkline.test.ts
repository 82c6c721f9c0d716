/** The console's balance line (app/components/console/Sparkline.tsx): steps, scaled into the box. */
import { describe, expect, it } from "vitest";
import { sparklinePath } from "../../app/components/console/Sparkline";

describe("sparklinePath", () => {
  it("draws steps from the first value to the last, zero at the bottom", () => {
    expect(sparklinePath([0, 10, 5], 100, 12)).toBe("M0 11.0 H50.0 V1.0 H100.0 V6.0");
  });
  it("keeps a lone value as a flat line, and draws nothing for no values", () => {
    expect(sparklinePath([7], 100, 12)).toBe("M0 1.0 H100");
    expect(sparklinePath([], 100, 12)).toBe("");
  });
  it("puts a debt (negative) below zero inside the box", () => {
    const d = sparklinePath([-10, 10], 100, 22);
    const ys = [...d.matchAll(/(?:M0 |V)(-?[\d.]+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...ys)).toBeLessThanOrEqual(21);
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(1);
  });
});
