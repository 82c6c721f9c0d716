import { describe, expect, it } from "vitest";
import { BatchProfile, PHASES, stopwatch } from "./profile";

describe("BatchProfile", () => {
  it("summarizes batches per phase and resets on take", () => {
    const profile = new BatchProfile();
    for (let i = 1; i <= 100; i++) {
      const ms = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<(typeof PHASES)[number], number>;
      ms.write = i;
      ms.commit = 2;
      profile.record({ size: i * 10, ms });
    }
    const s = profile.take();
    expect(s.batches).toBe(100);
    expect(s.phases.write).toEqual({ mean: 50.5, p50: 51, p99: 100, max: 100 });
    expect(s.phases.commit.mean).toBe(2);
    expect(s.phases.plan.max).toBe(0);
    expect(s.size.max).toBe(1_000);
    expect(s.total.max).toBe(102);
    expect(profile.take().batches).toBe(0);
  });

  it("charges each lap to its phase", () => {
    let t = 0;
    const watch = stopwatch(() => t);
    t = 5;
    watch.lap("queued");
    t = 7;
    watch.lap("read");
    t = 9;
    watch.reset();
    t = 10;
    watch.lap("read");
    expect(watch.ms.queued).toBe(5);
    expect(watch.ms.read).toBe(3);
    expect(watch.ms.commit).toBe(0);
  });
});
