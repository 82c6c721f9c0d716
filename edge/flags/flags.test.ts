import { describe, expect, it } from "vitest";
import { bucketOf, evaluate, FlagCache, observeFlags, type FlagRule } from "./flags";
import { EdgeOutcomes } from "../metrics/outcomes";
import { requestLogLine } from "../request-log";

const players = Array.from({ length: 10_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
const rule = (over: Partial<FlagRule> = {}): FlagRule => ({ key: "depth-chart-v2", enabled: true, rolloutPercent: 25, ...over });

describe("feature flags", () => {
  for (const percent of [1, 10, 25, 50, 90]) {
    it(`a ${percent}% rollout reaches ${percent}% of 10,000 players within 1.5 points`, () => {
      const on = players.filter((p) => evaluate(rule({ rolloutPercent: percent }), { playerId: p, roles: ["player"] }).on).length;
      expect(Math.abs(on / 100 - percent)).toBeLessThanOrEqual(1.5);
    });
  }

  it("0% and 100% are exact, and a disabled flag is off for all", () => {
    expect(players.some((p) => evaluate(rule({ rolloutPercent: 0 }), { playerId: p, roles: [] }).on)).toBe(false);
    expect(players.every((p) => evaluate(rule({ rolloutPercent: 100 }), { playerId: p, roles: [] }).on)).toBe(true);
    expect(players.some((p) => evaluate(rule({ enabled: false, rolloutPercent: 100 }), { playerId: p, roles: [] }).on)).toBe(false);
  });

  it("is stable across restarts: the arm depends only on the flag and the player (known values)", () => {
    // Fixed expectations: a change of hash would move players between arms mid-experiment.
    const arms = players.slice(0, 50).map((p) => evaluate(rule(), { playerId: p, roles: [] }).arm);
    const again = players.slice(0, 50).map((p) => evaluate({ ...rule() }, { playerId: p, roles: ["player"] }).arm);
    expect(again).toEqual(arms);
    // FNV-1a of "a:b" is 146,638,144 (pinned: a new hash would reshuffle running experiments).
    expect(bucketOf("a", "b")).toBe(8_144);
  });

  it("raising the percentage only adds players (nobody leaves the on arm)", () => {
    const at = (pct: number) => new Set(players.filter((p) => evaluate(rule({ rolloutPercent: pct }), { playerId: p, roles: [] }).on));
    const ten = at(10);
    const thirty = at(30);
    for (const p of ten) expect(thirty.has(p)).toBe(true);
  });

  it("overrides win: player over role over rollout", () => {
    const p = players.find((x) => !evaluate(rule(), { playerId: x, roles: [] }).on)!;
    expect(evaluate(rule({ players: { [p]: true } }), { playerId: p, roles: [] })).toEqual({ on: true, reason: "player-override", arm: "on" });
    expect(evaluate(rule({ enabled: false, roles: { support: true } }), { playerId: p, roles: ["player", "support"] }).on).toBe(true);
    expect(evaluate(rule({ roles: { support: true }, players: { [p]: false } }), { playerId: p, roles: ["support"] }).on).toBe(false);
    const q = players.find((x) => evaluate(rule(), { playerId: x, roles: [] }).on)!;
    expect(evaluate(rule({ roles: { admin: false } }), { playerId: q, roles: ["admin"] })).toMatchObject({ on: false, reason: "role-override" });
  });

  it("a change is visible within the cache time, and not reloaded before it", async () => {
    let now = 0;
    let stored = rule({ enabled: false });
    let loads = 0;
    const cache = new FlagCache(async () => (loads++, [stored]), 10_000, () => now);
    const who = { playerId: players[0]!, roles: [] };
    expect((await cache.decide("depth-chart-v2", who, undefined)).on).toBe(false);
    stored = rule({ players: { [players[0]!]: true } });
    now = 9_999;
    expect((await cache.decide("depth-chart-v2", who, undefined)).on).toBe(false);
    expect(loads).toBe(1);
    now = 10_000;
    expect((await cache.decide("depth-chart-v2", who, undefined)).on).toBe(true);
    expect(loads).toBe(2);
    expect((await cache.decide("unknown-flag", who, undefined)).on).toBe(false);
  });

  it("every decision of a known flag reaches the metrics and the request's log line with its arm", async () => {
    const outcomes = new EdgeOutcomes();
    const arms: Record<string, "on" | "off"> = {};
    const stored = rule({ rolloutPercent: 50 });
    const cache = new FlagCache(async () => [stored], 10_000, () => 0, observeFlags(outcomes, arms));
    let on = 0;
    for (const p of players.slice(0, 1_000)) if ((await cache.decide("depth-chart-v2", { playerId: p, roles: [] }, undefined)).on) on++;
    expect(outcomes.flagCount("depth-chart-v2", "on")).toBe(on);
    expect(outcomes.flagCount("depth-chart-v2", "off")).toBe(1_000 - on);
    expect(outcomes.render()).toContain(`bazaar_flag_decisions_total{flag="depth-chart-v2",arm="on"} ${on}\n`);
    // The arm of the last player decided is the one on the request's line.
    const last = players[999]!;
    expect(arms).toEqual({ "depth-chart-v2": evaluate(stored, { playerId: last, roles: [] }).arm });
    const line = JSON.parse(requestLogLine({ requestId: "r", traceId: "t", method: "GET", route: "/markets/:slug", status: 200, ms: 3, flags: arms }));
    expect(line.flags).toEqual(arms);
    expect(JSON.parse(requestLogLine({ requestId: "r", method: "GET", route: "/", status: 200, ms: 1, flags: {} }))).not.toHaveProperty("flags");
    // An unknown key is not counted (no label from a typo).
    await cache.decide("no-such-flag", { playerId: last, roles: [] }, undefined);
    expect(outcomes.render()).not.toContain("no-such-flag");
  });

  it("decides every known flag once for a visitor, and keeps the last rules when a reload fails", async () => {
    let now = 0;
    let failing = false;
    const cache = new FlagCache(async () => {
      if (failing) throw new Error("database down");
      return [rule({ key: "a-flag", rolloutPercent: 100 }), rule({ key: "b-flag", enabled: false })];
    }, 1_000, () => now);
    const arms: Record<string, "on" | "off"> = {};
    const outcomes = new EdgeOutcomes();
    const all = await cache.decideAll({ playerId: players[1]!, roles: [] }, undefined, observeFlags(outcomes, arms));
    expect(Object.fromEntries(Object.entries(all).map(([k, d]) => [k, d.on]))).toEqual({ "a-flag": true, "b-flag": false });
    expect(arms).toEqual({ "a-flag": "on", "b-flag": "off" });
    expect(outcomes.flagCount("a-flag", "on")).toBe(1);
    // Anonymous visitors get the rollout's "off" (the arm is a player's).
    expect((await cache.decideAll({ playerId: null, roles: [] }, undefined))["a-flag"]!.on).toBe(false);
    failing = true;
    now = 5_000;
    expect((await cache.decide("a-flag", { playerId: players[1]!, roles: [] }, undefined)).on).toBe(true);
    const cold = new FlagCache(async () => Promise.reject(new Error("database down")));
    await expect(cold.decide("a-flag", { playerId: null, roles: [] }, undefined)).rejects.toThrow("database down");
  });

  it("shares one reload among the requests that arrive while it runs", async () => {
    let loads = 0;
    const cache = new FlagCache(async () => (loads++, await new Promise((r) => setTimeout(r, 10)), [rule()]));
    await Promise.all(players.slice(0, 20).map((p) => cache.decide("depth-chart-v2", { playerId: p, roles: [] }, undefined)));
    expect(loads).toBe(1);
  });
});
