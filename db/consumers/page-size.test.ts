import { describe, expect, it } from "vitest";
import { FIRST_PAGE, firstPageSize, MIN_PAGE, nextPageSize } from "./page-size";

describe("a consumer's page size", () => {
  it("starts small, never above the maximum", () => {
    expect(firstPageSize(500)).toBe(FIRST_PAGE);
    expect(firstPageSize(9)).toBe(9);
  });

  it("shrinks a slow page in proportion to how slow it was", () => {
    // The fraud rules on PGlite: 500 events in 550 ms against a 100 ms target.
    expect(nextPageSize(500, 500, 550, 100)).toBe(90);
    expect(nextPageSize(100, 500, 200, 100)).toBe(50);
  });

  it("never shrinks below the floor, and a slow page always gets smaller while above it", () => {
    expect(nextPageSize(50, 500, 100_000, 100)).toBe(MIN_PAGE);
    expect(nextPageSize(MIN_PAGE, 500, 100_000, 100)).toBe(MIN_PAGE);
    expect(nextPageSize(20, 500, 101, 100)).toBe(19);
    expect(nextPageSize(5, 5, 1_000, 100)).toBe(5); // a maximum under the floor is kept
  });

  it("doubles a quick page up to the maximum, and keeps one near the target", () => {
    expect(nextPageSize(50, 500, 10, 100)).toBe(100);
    expect(nextPageSize(400, 500, 10, 100)).toBe(500);
    expect(nextPageSize(500, 500, 1, 100)).toBe(500);
    expect(nextPageSize(120, 500, 70, 100)).toBe(120);
  });

  it("settles near the target for a steady cost per event", () => {
    const msPerEvent = 1.1;
    let size = firstPageSize(500);
    for (let i = 0; i < 20; i++) size = nextPageSize(size, 500, size * msPerEvent, 100);
    expect(size * msPerEvent).toBeLessThanOrEqual(100);
    expect(size * msPerEvent).toBeGreaterThanOrEqual(50);
  });
});
