import { describe, expect, it } from "vitest";
import { PlayerThrottles, Throttle } from "./throttle";

const takeN = (n: number, take: () => boolean) => Array.from({ length: n }, take).filter(Boolean).length;

describe("Throttle", () => {
  it("lets a burst through, then the rate", () => {
    const t = new Throttle(200, 400, 0);
    expect(takeN(500, () => t.take(0))).toBe(400);
    expect(takeN(100, () => t.take(100))).toBe(20); // 100 ms at 200/s
    expect(t.full(100)).toBe(false);
    expect(t.full(2_100)).toBe(true);
  });

  it("a clock that steps back neither refills nor drains it", () => {
    const t = new Throttle(200, 400, 1_000);
    expect(takeN(400, () => t.take(1_000))).toBe(400);
    expect(t.take(500)).toBe(false);
    expect(takeN(10, () => t.take(1_050))).toBe(10);
  });
});

describe("PlayerThrottles", () => {
  it("one player's sockets share one bucket; another player has their own", () => {
    const p = new PlayerThrottles(200, 400);
    // Three sockets of alice, interleaved: 400 in all, not 400 each.
    let ok = 0;
    for (let i = 0; i < 300; i++) for (let s = 0; s < 3; s++) ok += p.take("alice", 0) ? 1 : 0;
    expect(ok).toBe(400);
    expect(takeN(400, () => p.take("bob", 0))).toBe(400);
  });

  it("closing and reopening does not refill a drained bucket", () => {
    const p = new PlayerThrottles(200, 400);
    expect(takeN(400, () => p.take("alice", 0))).toBe(400);
    // alice's sockets all close and she comes back 10 ms later: the bucket is still hers, drained.
    expect(p.size).toBe(1);
    expect(p.take("alice", 10)).toBe(true); // 10 ms at 200/s: two tokens
    expect(p.take("alice", 10)).toBe(true);
    expect(p.take("alice", 10)).toBe(false);
  });

  it("forgets a bucket once it has refilled, not before", () => {
    const p = new PlayerThrottles(200, 400, 4);
    p.take("alice", 0); // 399 of 400
    p.take("bob", 0);
    p.take("carol", 0);
    p.take("dave", 1); // the fourth take sweeps: all three short of full, kept
    expect(p.size).toBe(4);
    for (let i = 0; i < 4; i++) p.take("erin", 5_000);
    p.take("erin", 5_000); // five buckets, fifth take: the next sweep. alice to dave have refilled; erin is short
    expect(p.size).toBe(1);
    // Sweeps come no more often than there are buckets: amortized a few checks a take.
    const many = new PlayerThrottles(200, 400, 4);
    for (let i = 0; i < 10; i++) many.take(`p${i}`, 0);
    expect(many.size).toBe(10);
  });
});
