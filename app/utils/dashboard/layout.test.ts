import { describe, expect, it } from "vitest";
import { addPanel, DEFAULT_LAYOUT, removePanel, shown, stackOrder, withRemoved } from "./layout";
import { LayoutInput, readLayout } from "./layout-input.server";

describe("dashboard layout", () => {
  it("reads a saved layout, adding missing panels below and dropping broken ones", () => {
    expect(readLayout(undefined)).toEqual(DEFAULT_LAYOUT);
    expect(readLayout([{ i: "nope", x: 0, y: 0, w: 2, h: 2 }])).toEqual(DEFAULT_LAYOUT);
    const mine = [{ i: "watched", x: 0, y: 0, w: 12, h: 3 }, { i: "orders", x: 0, y: 3, w: 4, h: 4 }];
    const read = readLayout(mine);
    expect(read.slice(0, 2)).toEqual(mine);
    expect(read.slice(2, 4)).toEqual([{ i: "holdings", x: 0, y: 7, w: 6, h: 4 }, { i: "pnl", x: 6, y: 7, w: 6, h: 3 }]);
    // Panels that came later (a saved layout from before them): below, in the default's arrangement.
    expect(read.slice(4).map((p) => [p.i, p.y])).toEqual([["chart", 15], ["book", 15], ["tape", 22], ["leaderboard", 22], ["alerts", 27], ["economy", 27]]);
  });

  it("refuses layouts off the grid or with a panel twice, naming why", () => {
    const off = LayoutInput.safeParse([{ i: "pnl", x: 8, y: 0, w: 6, h: 3 }]);
    expect(off.success).toBe(false);
    expect(JSON.stringify(off.error?.issues)).toContain("12 columns");
    const twice = LayoutInput.safeParse([{ i: "pnl", x: 0, y: 0, w: 6, h: 3 }, { i: "pnl", x: 6, y: 0, w: 6, h: 3 }]);
    expect(JSON.stringify(twice.error?.issues)).toContain("twice");
    expect(LayoutInput.safeParse([{ i: "pnl", x: 0, y: 0, w: 6.5, h: 3 }]).success).toBe(false);
  });

  it("stacks panels on the phone top to bottom, then left to right", () => {
    expect(stackOrder(DEFAULT_LAYOUT)).toEqual(["holdings", "pnl", "watched", "orders", "chart", "book", "tape", "leaderboard", "alerts", "economy"]);
    expect(stackOrder([{ i: "pnl", x: 6, y: 0, w: 6, h: 2 }, { i: "orders", x: 0, y: 2, w: 6, h: 2 }, { i: "holdings", x: 0, y: 0, w: 6, h: 2 }, { i: "watched", x: 0, y: 1, w: 2, h: 2 }]))
      .toEqual(["holdings", "pnl", "watched", "orders"]);
  });

  it("removes a panel (kept, marked off, not read back as new) and adds it again below the others", () => {
    const removed = removePanel(DEFAULT_LAYOUT, "pnl");
    expect(shown(removed).map((p) => p.i)).not.toContain("pnl");
    expect(removed.find((p) => p.i === "pnl")).toMatchObject({ off: true });
    expect(removePanel(removed, "pnl")).toEqual(removed);
    // Saved and read again: still removed, not added back as a panel the layout lacks.
    expect(readLayout(JSON.parse(JSON.stringify(removed)))).toEqual(removed);
    expect(stackOrder(removed)).not.toContain("pnl");
    const back = addPanel(removed, "pnl");
    expect(back.find((p) => p.i === "pnl")).toEqual({ i: "pnl", x: 0, y: 25, w: 6, h: 3 });
    expect(addPanel(back, "pnl")).toEqual(back);
    expect(stackOrder(back).at(-1)).toBe("pnl");
    expect(LayoutInput.safeParse(removed).success).toBe(true);
  });

  it("keeps the removed panels when the grid saves the shown ones", () => {
    const removed = removePanel(removePanel(DEFAULT_LAYOUT, "tape"), "economy");
    const moved = shown(removed).map((p) => (p.i === "holdings" ? { ...p, x: 6 } : p));
    const saved = withRemoved(moved, removed);
    expect(saved.filter((p) => p.off).map((p) => p.i)).toEqual(["tape", "economy"]);
    expect(saved.find((p) => p.i === "holdings")).toEqual({ i: "holdings", x: 6, y: 0, w: 6, h: 4 });
    expect(LayoutInput.safeParse(saved).success).toBe(true);
  });
});
