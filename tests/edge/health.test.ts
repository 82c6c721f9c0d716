/** A part that is slow is not down (edge/health.server.ts): only a refusal or an error is "down". */
import { describe, expect, it } from "vitest";
import { downMessage, stateWithin, twice } from "../../edge/health.server";

const after = <T>(ms: number, value: T, fail = false) => new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error("refused")) : resolve(value)), ms));

describe("stateWithin", () => {
  it("is up when the probe answers in time", async () => {
    expect(await stateWithin(after(5, 1), 200)).toBe("up");
  });
  it("is down when the probe fails in time (refused, broken)", async () => {
    expect(await stateWithin(after(5, 1, true), 200)).toBe("down");
  });
  it("is slow, not down, when the probe has not answered by the timeout", async () => {
    expect(await stateWithin(after(300, 1), 50)).toBe("slow");
    expect(await stateWithin(after(300, 1, true), 50)).toBe("slow");
  });
});

describe("twice", () => {
  it("one lost connection is not down: the second try answers; a part that fails both is down", async () => {
    let calls = 0;
    expect(await stateWithin(twice(() => after(2, ++calls, calls === 1)), 200)).toBe("up");
    expect(calls).toBe(2);
    calls = 0;
    expect(await stateWithin(twice(() => after(2, ++calls, true)), 200)).toBe("down");
    expect(calls).toBe(2);
  });
});

describe("downMessage", () => {
  it("says nothing while parts are only slow", () => {
    expect(downMessage({ ok: true, db: "slow", rooms: "slow" })).toBeUndefined();
  });
  it("names what is down", () => {
    expect(downMessage({ ok: false, db: "down", rooms: "up" })).toMatch(/^the database is restarting/);
    expect(downMessage({ ok: false, db: "down", rooms: "down" })).toMatch(/^the database and the market rooms are restarting/);
  });
});
