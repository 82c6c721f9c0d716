import { describe, expect, it } from "vitest";
import { PriceAlertIndex, type IndexedPriceAlert } from "./price-alerts";

const alert = (id: string, direction: "above" | "below", price: number, cooldownSeconds: number | null = null): IndexedPriceAlert => ({
  id, playerId: "p", direction, price, cooldownSeconds, lastFiredAt: null,
});
const ids = (c: Array<{ alert: IndexedPriceAlert }>) => c.map((x) => x.alert.id).sort();

/** A batch: candidates for its trades, all of them fired (as the statement would), then settled. */
function batch(index: PriceAlertIndex, prices: number[], now: number, fire = (id: string) => true): string[] {
  const c = index.candidates(Math.min(...prices), Math.max(...prices), now);
  const offered = c.map((x) => x.alert.id);
  const fired = offered.filter(fire);
  index.settled(offered, fired, now);
  return fired.sort();
}

describe("price alert index", () => {
  it("fires an above alert when the price crosses up to it, and a below alert when it crosses down", () => {
    const index = new PriceAlertIndex([alert("up", "above", 120), alert("down", "below", 80)]);
    expect(batch(index, [100, 110], 1)).toEqual([]);
    expect(batch(index, [115, 125], 2)).toEqual(["up"]);
    expect(batch(index, [90], 3)).toEqual([]);
    expect(batch(index, [85, 79], 4)).toEqual(["down"]);
    expect(index.size).toBe(0); // one-shots are gone
  });

  it("fires exactly at the price (at or above / at or below)", () => {
    const index = new PriceAlertIndex([alert("a", "above", 100), alert("b", "below", 100), alert("c", "above", 101), alert("d", "below", 99)]);
    expect(batch(index, [100], 1)).toEqual(["a", "b"]);
  });

  it("fires when one batch gaps through the price without trading at it", () => {
    const index = new PriceAlertIndex([alert("a", "above", 105), alert("b", "below", 105)]);
    // Traded at 100 then 110 in the same batch: both thresholds lie between its low and high.
    expect(batch(index, [100, 110], 1)).toEqual(["a", "b"]);
  });

  it("reports the batch's high for above alerts and its low for below alerts", () => {
    const index = new PriceAlertIndex([alert("a", "above", 105), alert("b", "below", 105)]);
    const c = index.candidates(100, 110, 1);
    expect(c.find((x) => x.alert.id === "a")!.traded).toBe(110);
    expect(c.find((x) => x.alert.id === "b")!.traded).toBe(100);
  });

  it("repeats after its cool-down and not before", () => {
    const index = new PriceAlertIndex([alert("r", "above", 100, 60)]);
    expect(batch(index, [101], 0)).toEqual(["r"]);
    expect(batch(index, [102], 30_000)).toEqual([]);
    expect(batch(index, [102], 59_999)).toEqual([]);
    expect(batch(index, [102], 60_000)).toEqual(["r"]);
    expect(index.size).toBe(1);
  });

  it("loads a repeating alert that fired recently into its cool-down", () => {
    const index = new PriceAlertIndex([{ ...alert("r", "below", 100, 120), lastFiredAt: 1_000 }]);
    expect(batch(index, [50], 60_000)).toEqual([]);
    expect(batch(index, [50], 121_000)).toEqual(["r"]);
  });

  it("never fires a deleted alert, cooling or not", () => {
    const index = new PriceAlertIndex([alert("a", "above", 100), alert("r", "above", 100, 60)]);
    expect(batch(index, [100], 0, (id) => id === "r")).toEqual(["r"]);
    // "a" was offered but the statement did not fire it (deleted in the database meanwhile): dropped.
    expect(index.has("a")).toBe(false);
    index.remove("r");
    expect(batch(index, [200], 100_000)).toEqual([]);
    index.add(alert("b", "below", 50));
    index.remove("b");
    expect(index.candidates(1, 1, 0)).toEqual([]);
  });

  it("changes nothing until settled: a batch that does not commit fires nothing", () => {
    const index = new PriceAlertIndex([alert("a", "above", 100)]);
    expect(ids(index.candidates(150, 150, 1))).toEqual(["a"]);
    // rolled back: settled() never called; the next batch sees it again
    expect(ids(index.candidates(150, 150, 2))).toEqual(["a"]);
  });

  it("only walks the reached prefix of 10,000 alerts", () => {
    const index = new PriceAlertIndex();
    for (let i = 1; i <= 10_000; i++) index.add(alert(`a${i}`, i % 2 ? "above" : "below", i));
    expect(index.candidates(5_000, 5_000, 0)).toHaveLength(2_500 + 2_501);
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) index.candidates(10_001, 0, 0); // reaches nothing
    expect(performance.now() - started).toBeLessThan(50);
    // Replacing an alert keeps one copy.
    index.add(alert("a3", "above", 20_000));
    expect(index.size).toBe(10_000);
    expect(index.candidates(0, 10_000, 0).some((x) => x.alert.id === "a3")).toBe(false);
  });

  it("ignores a price that is not a positive whole number", () => {
    const index = new PriceAlertIndex([alert("x", "above", 0), alert("y", "above", 1.5)]);
    expect(index.size).toBe(0);
  });
});
