import { describe, expect, it } from "vitest";
import { BOX, cumulative, depthAt, depthOf, formatMid, scales, stepPaths, stepPoints } from "./depth";

// The iron-ore fixture's book (tests/e2e/harness.ts marketFixture), best first.
const bids = [[125, 30], [124, 70], [122, 40], [119, 90], [115, 60], [110, 150]] as const;
const asks = [[127, 20], [128, 20], [129, 40], [131, 30], [134, 50], [138, 30], [142, 60]] as const;

describe("depth", () => {
  it("sums quantity from the best price outwards, like the ladder's Total column", () => {
    expect(cumulative(bids).map((s) => s.total)).toEqual([30, 100, 140, 230, 290, 440]);
    expect(cumulative(asks).map((s) => s.total)).toEqual([20, 40, 80, 110, 160, 190, 250]);
    expect(cumulative([])).toEqual([]);
  });

  it("centres the window on the mid with room past the furthest level", () => {
    const d = depthOf(bids, asks);
    expect(d.mid2).toBe(252);
    expect((d.lo + d.hi) / 2).toBe(126);
    // The furthest level is the ask at 142 (16 from the mid), the bid at 110 also 16.
    expect(d.hi - 126).toBeCloseTo(16 * 1.08);
    expect(d.top).toBeCloseTo(440 * 1.12);
  });

  it("prints the mid exactly, half a copper included", () => {
    expect(formatMid(252)).toBe("1.26");
    expect(formatMid(253)).toBe("1.265");
    expect(formatMid(1)).toBe("0.005");
    expect(formatMid(200_001)).toBe("1,000.005");
  });

  it("uses one side's best price as the mid when the other side is empty, and draws nothing for an empty book", () => {
    expect(depthOf(bids, []).mid2).toBe(250);
    expect(depthOf([], asks).mid2).toBe(254);
    const empty = depthOf([], []);
    expect(empty.mid2).toBeNull();
    expect(stepPaths(empty.bids, "bid", empty)).toEqual({ line: "", area: "" });
    expect(depthAt(empty, 100)).toBeNull();
  });

  it("leaves out levels far from the mid so a stray order does not squash the chart", () => {
    const d = depthOf([...bids, [1, 5]], [...asks, [100_000, 5]]);
    expect(d.bids.at(-1)!.price).toBe(110);
    expect(d.asks.at(-1)!.price).toBe(142);
  });

  it("steps up at each level's price and runs flat to the edge", () => {
    const d = depthOf(bids, asks);
    const { x, y } = scales(d);
    const b = stepPoints(d.bids, "bid", d);
    expect(b[0]).toEqual([x(125), BOX]);
    expect(b[1]).toEqual([x(125), y(30)]);
    expect(b[2]).toEqual([x(124), y(30)]);
    expect(b[3]).toEqual([x(124), y(100)]);
    expect(b.at(-1)).toEqual([0, y(440)]);
    const a = stepPoints(d.asks, "ask", d);
    expect(a.at(-1)).toEqual([BOX, y(250)]);
    // Bids left of the mid, asks right of it, everything inside the box.
    for (const [px, py] of b) expect(px <= BOX / 2 && py >= 0 && py <= BOX).toBe(true);
    for (const [px, py] of a) expect(px >= BOX / 2 && py >= 0 && py <= BOX).toBe(true);
    const { line, area } = stepPaths(d.asks, "ask", d);
    expect(line.startsWith(`M${x(127)},${BOX} L${x(127)},${y(20)}`)).toBe(true);
    expect(area.endsWith(`L${BOX},${BOX} Z`)).toBe(true);
  });

  it("reads the cumulative quantity at a price on its side of the mid", () => {
    const d = depthOf(bids, asks);
    expect(depthAt(d, 125)).toEqual({ side: "bid", total: 30 });
    expect(depthAt(d, 123)).toEqual({ side: "bid", total: 100 });
    expect(depthAt(d, 126)).toEqual({ side: "bid", total: 0 });
    expect(depthAt(d, 130)).toEqual({ side: "ask", total: 80 });
    expect(depthAt(d, 200)).toEqual({ side: "ask", total: 250 });
  });
});
