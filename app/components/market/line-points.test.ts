import { describe, expect, it } from "vitest";
import { onlyLastMoved } from "./line-points";

const line = (...values: number[]) => values.map((value, i) => ({ time: 1_000 + i * 300, value }));

describe("an indicator line after a live trade", () => {
  it("is an update of its last point when only that point moved", () => {
    expect(onlyLastMoved(line(10, 11, 12), line(10, 11, 13))).toBe(true);
    expect(onlyLastMoved(line(10, 11, 12), line(10, 11, 12))).toBe(true);
  });

  it("is an update when one point was added after the others", () => {
    expect(onlyLastMoved(line(10, 11, 12), line(10, 11, 12, 12))).toBe(true);
    expect(onlyLastMoved([], line(10))).toBe(true);
  });

  it("is drawn again when an earlier point changed, as when a trade moved the old candle and opened a new one", () => {
    expect(onlyLastMoved(line(10, 11, 12), line(10, 11, 14, 14))).toBe(false);
    expect(onlyLastMoved(line(10, 11, 12), line(10, 9, 12))).toBe(false);
  });

  it("is drawn again when points were added or removed by more than one, or the times moved", () => {
    expect(onlyLastMoved(line(10, 11), line(10, 11, 12, 13))).toBe(false);
    expect(onlyLastMoved(line(10, 11, 12), line(10, 11))).toBe(false);
    const shifted = line(10, 11, 12).map((p) => ({ ...p, time: p.time + 300 }));
    expect(onlyLastMoved(line(10, 11, 12), shifted)).toBe(false);
  });
});
