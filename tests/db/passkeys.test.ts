/**
 * Passkeys (issue 20, ADR 036) on PGlite and on the real Postgres, with @simplewebauthn/server
 * checking answers from a software authenticator: add one and sign in with it; a replayed
 * challenge, another origin, another RP ID, a counter that goes back, a challenge issued for
 * another purpose or player, an expired one, and a passkey of another player are all refused,
 * each with its own code, and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHALLENGE_SECONDS, listPasskeys, removePasskey, storeChallenge, takeChallenge } from "../../db/security/passkeys";
import { addPasskey, authenticationOptions, checkPasskey, registrationOptions, type PasskeyFailure, type RelyingParty } from "../../edge/auth/passkeys.server";
import { openTestDb, type TestDb } from "../support/db";
import { SoftAuthenticator } from "../support/soft-authenticator";
import { addPlayer } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

const RP: RelyingParty = { id: "bazaar.test", origin: "https://bazaar.test" };
const here = (challenge: string) => ({ challenge, origin: RP.origin, rpId: RP.id });

function must<T extends { ok: boolean }>(r: T | { ok: false; message: string }): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error((r as { message: string }).message);
  return r as Extract<T, { ok: true }>;
}

async function options<T extends object>(p: Promise<T>): Promise<Exclude<T, PasskeyFailure>> {
  const o = await p;
  if ("ok" in o) throw new Error((o as unknown as PasskeyFailure).message);
  return o as Exclude<T, PasskeyFailure>;
}

/** A player with one passkey on a fresh authenticator. */
async function enrolled() {
  const username = `pk_${Math.random().toString(36).slice(2, 8)}`;
  const me = await addPlayer(t.db, username);
  const device = new SoftAuthenticator();
  const reg = await options(registrationOptions(t.db, RP, { id: me, username }));
  must(await addPasskey(t.db, RP, me, "My phone", JSON.stringify(device.register(here(reg.challenge)))));
  return { me, username, device };
}

async function signInAnswer(device: SoftAuthenticator, override: Partial<{ origin: string; rpId: string }> = {}) {
  const o = await options(authenticationOptions(t.db, RP, "sign-in", null));
  return device.authenticate({ ...here(o.challenge), ...override });
}

describe(`passkeys on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("adds a passkey (discoverable, verified) and signs in with it, password-less; the counter and last use are recorded", async () => {
    const { me, username, device } = await enrolled();
    const [stored] = await listPasskeys(t.db, me);
    expect(stored).toMatchObject({ name: "My phone", credentialId: device.id, counter: 0, transports: ["internal"], lastUsedAt: null });

    const reg = await options(registrationOptions(t.db, RP, { id: me, username }));
    expect(reg.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    expect(reg.excludeCredentials?.map((c) => c.id)).toEqual([device.id]);
    expect(reg.rp).toEqual({ name: "Bazaar", id: "bazaar.test" });

    const signin = await options(authenticationOptions(t.db, RP, "sign-in", null));
    expect(signin.allowCredentials ?? []).toEqual([]);
    const ok = must(await checkPasskey(t.db, RP, "sign-in", null, device.authenticate(here(signin.challenge))));
    expect(ok).toMatchObject({ playerId: me, username });
    const [after] = await listPasskeys(t.db, me);
    expect(after!.counter).toBe(1);
    expect(after!.lastUsedAt).toBeInstanceOf(Date);
  });

  it("refuses a replayed challenge: the same registration or sign-in answer works once", async () => {
    const username = `pk_${Math.random().toString(36).slice(2, 8)}`;
    const me = await addPlayer(t.db, username);
    const device = new SoftAuthenticator();
    const reg = await options(registrationOptions(t.db, RP, { id: me, username }));
    const registration = device.register(here(reg.challenge));
    must(await addPasskey(t.db, RP, me, "Phone", registration));
    expect(await addPasskey(t.db, RP, me, "Phone again", registration)).toMatchObject({ ok: false, status: 401, code: "challenge_used" });
    expect(await listPasskeys(t.db, me)).toHaveLength(1);

    const answer = await signInAnswer(device);
    must(await checkPasskey(t.db, RP, "sign-in", null, answer));
    const replay = await checkPasskey(t.db, RP, "sign-in", null, answer);
    expect(replay).toMatchObject({ ok: false, status: 401, code: "challenge_used" });
    expect(replay.ok ? "" : replay.message).toMatch(/already used or has expired/);
    // Two racing answers to one challenge: one wins.
    const o = await options(authenticationOptions(t.db, RP, "sign-in", null));
    const a = device.authenticate(here(o.challenge));
    const b = device.authenticate(here(o.challenge));
    const both = await Promise.all([checkPasskey(t.db, RP, "sign-in", null, a), checkPasskey(t.db, RP, "sign-in", null, b)]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
  });

  it("refuses an answer made for another origin, and a credential of another RP ID, at sign-in and when adding", async () => {
    const { me, username, device } = await enrolled();
    const phished = await checkPasskey(t.db, RP, "sign-in", null, await signInAnswer(device, { origin: "https://bazaar-login.example" }));
    expect(phished).toMatchObject({ ok: false, status: 401, code: "wrong_origin" });
    expect(phished.ok ? "" : phished.message).toContain("https://bazaar.test");
    const otherRp = await checkPasskey(t.db, RP, "sign-in", null, await signInAnswer(device, { rpId: "evil.example" }));
    expect(otherRp).toMatchObject({ ok: false, status: 401, code: "wrong_rp_id" });

    const second = new SoftAuthenticator();
    const reg1 = await options(registrationOptions(t.db, RP, { id: me, username }));
    expect(await addPasskey(t.db, RP, me, "Tablet", second.register({ ...here(reg1.challenge), origin: "http://bazaar.test:8080" }))).toMatchObject({ ok: false, code: "wrong_origin" });
    const reg2 = await options(registrationOptions(t.db, RP, { id: me, username }));
    expect(await addPasskey(t.db, RP, me, "Tablet", second.register({ ...here(reg2.challenge), rpId: "evil.example" }))).toMatchObject({ ok: false, code: "wrong_rp_id" });
    expect((await listPasskeys(t.db, me)).map((p) => p.name)).toEqual(["My phone"]);
  });

  it("refuses a signature counter that goes back (a copied authenticator) and keeps the stored count", async () => {
    const { me, device } = await enrolled();
    must(await checkPasskey(t.db, RP, "sign-in", null, await signInAnswer(device)));
    must(await checkPasskey(t.db, RP, "sign-in", null, await signInAnswer(device)));
    expect((await listPasskeys(t.db, me))[0]!.counter).toBe(2);
    device.counter = 0; // the clone signs with count 1
    const cloned = await checkPasskey(t.db, RP, "sign-in", null, await signInAnswer(device));
    expect(cloned).toMatchObject({ ok: false, status: 401, code: "counter_regressed" });
    expect((await listPasskeys(t.db, me))[0]!.counter).toBe(2);
  });

  it("as the second factor: only the pending player's passkeys, with a challenge issued for that player and purpose", async () => {
    const alice = await enrolled();
    const bob = await enrolled();
    const forAlice = await options(authenticationOptions(t.db, RP, "second-factor", alice.me));
    expect(forAlice.allowCredentials?.map((c) => c.id)).toEqual([alice.device.id]);
    // Bob's passkey after Alice's password: refused.
    expect(await checkPasskey(t.db, RP, "second-factor", alice.me, bob.device.authenticate(here(forAlice.challenge)))).toMatchObject({ ok: false, code: "unknown_passkey" });
    // Alice's challenge after Bob's password: refused.
    const forAlice2 = await options(authenticationOptions(t.db, RP, "second-factor", alice.me));
    expect(await checkPasskey(t.db, RP, "second-factor", bob.me, bob.device.authenticate(here(forAlice2.challenge)))).toMatchObject({ ok: false, code: "challenge_used" });
    // A sign-in challenge is not a second-factor challenge.
    expect(await checkPasskey(t.db, RP, "second-factor", alice.me, await signInAnswer(alice.device))).toMatchObject({ ok: false, code: "challenge_used" });
    const good = await options(authenticationOptions(t.db, RP, "second-factor", alice.me));
    expect(must(await checkPasskey(t.db, RP, "second-factor", alice.me, alice.device.authenticate(here(good.challenge)))).playerId).toBe(alice.me);
    // A player with no passkey gets no options.
    expect(await authenticationOptions(t.db, RP, "second-factor", await addPlayer(t.db))).toMatchObject({ ok: false, code: "no_passkey" });
  });

  it("a removed passkey no longer signs in; challenges expire after five minutes; bad answers and names are 400s", async () => {
    const { me, device } = await enrolled();
    const [p] = await listPasskeys(t.db, me);
    expect(await removePasskey(t.db, await addPlayer(t.db), p!.id)).toBe(false); // not someone else's
    expect(await removePasskey(t.db, me, p!.id)).toBe(true);
    expect(await checkPasskey(t.db, RP, "sign-in", null, await signInAnswer(device))).toMatchObject({ ok: false, code: "unknown_passkey" });

    const now = Date.now();
    await storeChallenge(t.db, "expiring-challenge", "sign-in", null, now);
    expect(await takeChallenge(t.db, "expiring-challenge", "sign-in", null, now + (CHALLENGE_SECONDS + 1) * 1000)).toBe(false);

    expect(await checkPasskey(t.db, RP, "sign-in", null, "{not json")).toMatchObject({ ok: false, status: 400, code: "bad_passkey_answer" });
    // An answer carrying "ok": true is still only an answer.
    expect(await checkPasskey(t.db, RP, "sign-in", null, { ok: true, playerId: me })).toMatchObject({ ok: false, status: 400, code: "bad_passkey_answer" });
    expect(await addPasskey(t.db, RP, me, "   ", device.register(here("x")))).toMatchObject({ ok: false, status: 400, code: "bad_passkey_name" });
    expect(await addPasskey(t.db, RP, me, "x".repeat(61), device.register(here("x")))).toMatchObject({ ok: false, status: 400, code: "bad_passkey_name" });
  });
});
