import { describe, expect, it } from "vitest";
import { marketProfiles } from "./world";
import { Turns } from "./turns";

const weights = new Map(marketProfiles.map((p) => [p.slug, p.weight] as const));
const total = [...weights.values()].reduce((a, b) => a + b, 0);

function steps(n: number) {
  const turns = new Turns(weights);
  const seen = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const m = turns.next()!;
    seen.set(m, [...(seen.get(m) ?? []), i]);
  }
  return seen;
}

describe("the NPCs' market turns", () => {
  it("gives each market its weight's share of the steps", () => {
    const seen = steps(total * 20);
    for (const [slug, weight] of weights) expect(Math.abs(seen.get(slug)!.length - weight * 20), slug).toBeLessThanOrEqual(1);
  });

  it("never leaves a market still for long: the longest gap is within two steps of its stride", () => {
    for (const [slug, at] of steps(total * 20)) {
      const gaps = at.slice(1).map((s, i) => s - at[i]!);
      expect(Math.max(...gaps), slug).toBeLessThanOrEqual(Math.ceil(total / weights.get(slug)!) + 2);
    }
    // The first step goes to the first and heaviest market (iron ore): a new world's busiest market moves first.
    expect(new Turns(weights).next()).toBe("iron-ore");
  });

  it("skips markets of weight 0 and answers undefined when there is nothing to step", () => {
    expect(new Turns(new Map([["a", 0]])).next()).toBeUndefined();
    expect(new Turns(new Map<string, number>()).next()).toBeUndefined();
    const t = new Turns(new Map([["a", 0], ["b", 1]]));
    expect(Array.from({ length: 4 }, () => t.next())).toEqual(["b", "b", "b", "b"]);
  });
});
