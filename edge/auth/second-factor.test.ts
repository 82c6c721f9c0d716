/** The pending sign-in mark between the password and the code (ADR 028): signed, short-lived, bound to the player. */
import { describe, expect, it } from "vitest";
import { PENDING_SIGN_IN_SECONDS, readPendingSignIn, signPendingSignIn } from "./second-factor.server";

const PLAYER = "3f2b8c1e-0d4a-4b7e-9a61-5c2d8e9f0a1b";
const NOW = Date.UTC(2026, 11, 4, 20, 0, 0);

describe("pending sign-in mark", () => {
  it("reads back the player while fresh, under the same secret only", () => {
    const mark = signPendingSignIn("s1", PLAYER, NOW);
    expect(readPendingSignIn("s1", mark, NOW + 1000)).toBe(PLAYER);
    expect(readPendingSignIn("s2", mark, NOW + 1000)).toBeUndefined();
  });
  it("expires after five minutes", () => {
    const mark = signPendingSignIn("s1", PLAYER, NOW);
    expect(readPendingSignIn("s1", mark, NOW + (PENDING_SIGN_IN_SECONDS + 1) * 1000)).toBeUndefined();
  });
  it("refuses another player's id, a moved expiry, and junk", () => {
    const [, expires, mac] = signPendingSignIn("s1", PLAYER, NOW).split(".");
    expect(readPendingSignIn("s1", `${PLAYER.replace("3f", "4f")}.${expires}.${mac}`, NOW)).toBeUndefined();
    expect(readPendingSignIn("s1", `${PLAYER}.${Number(expires) + 3600}.${mac}`, NOW)).toBeUndefined();
    for (const junk of [undefined, "", "a.b.c", `${PLAYER}..`]) expect(readPendingSignIn("s1", junk, NOW)).toBeUndefined();
  });
});
