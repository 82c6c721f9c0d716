/**
 * The TOTP second factor (issue 20, ADR 028) on PGlite and on the real Postgres: enrol and confirm,
 * a wrong code, the same code replayed within its window, an older code after a newer one, recovery
 * codes used once only and stored hashed, disable with a code; the secret is stored sealed.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { checkSecondFactor, confirmEnrolment, disableSecondFactor, factorState, pendingEnrolment, PERIOD_SECONDS, RECOVERY_CODE_COUNT, startEnrolment, totp } from "../../db/security/second-factor";
import { openTestDb, type TestDb } from "../support/db";
import { addPlayer } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

const MASTER = "test-master-secret";
const T0 = Date.UTC(2026, 11, 4, 20, 0, 0);
const codeAt = (secret: string, at: number) => totp(secret, "x").generate({ timestamp: at });

async function enrolled() {
  const me = await addPlayer(t.db);
  const started = await startEnrolment(t.db, MASTER, me, "alice");
  if (!started.ok) throw new Error(started.message);
  const confirmed = await confirmEnrolment(t.db, MASTER, me, codeAt(started.secret, T0), T0);
  if (!confirmed.ok) throw new Error(confirmed.message);
  return { me, secret: started.secret, codes: confirmed.recoveryCodes };
}

describe(`second factor on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("enrols: pending until a right code confirms it, then on with ten recovery codes; the secret is sealed", async () => {
    const me = await addPlayer(t.db);
    expect(await factorState(t.db, me)).toEqual({ state: "off" });
    const started = await startEnrolment(t.db, MASTER, me, "alice");
    if (!started.ok) throw new Error(started.message);
    expect(started.uri).toMatch(/^otpauth:\/\/totp\/Bazaar:alice\?/);
    expect(started.uri).toContain(`secret=${started.secret}`);
    expect(await factorState(t.db, me)).toEqual({ state: "pending" });
    expect((await pendingEnrolment(t.db, MASTER, me, "alice"))?.secret).toBe(started.secret);
    const [stored] = await rows<{ secret_enc: string }>(t.db, sql`select secret_enc from second_factors where player_id = ${me}`);
    expect(stored!.secret_enc).toMatch(/^v1\./);
    expect(stored!.secret_enc).not.toContain(started.secret);

    const wrong = await confirmEnrolment(t.db, MASTER, me, "000000" === codeAt(started.secret, T0) ? "111111" : "000000", T0);
    expect(wrong).toMatchObject({ ok: false, code: "invalid_code" });
    expect(await factorState(t.db, me)).toEqual({ state: "pending" });

    const ok = await confirmEnrolment(t.db, MASTER, me, codeAt(started.secret, T0), T0);
    if (!ok.ok) throw new Error(ok.message);
    expect(ok.recoveryCodes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(ok.recoveryCodes).size).toBe(RECOVERY_CODE_COUNT);
    expect(await factorState(t.db, me)).toMatchObject({ state: "on", recoveryCodesLeft: 10 });
    const hashes = await rows<{ code_hash: string }>(t.db, sql`select code_hash from recovery_codes where player_id = ${me}`);
    expect(hashes).toHaveLength(10);
    for (const c of ok.recoveryCodes) expect(hashes.map((h) => h.code_hash).join()).not.toContain(c.replace(/-/g, ""));
    // A second enrolment while on is refused and changes nothing.
    expect(await startEnrolment(t.db, MASTER, me, "alice")).toMatchObject({ ok: false });
    expect(await pendingEnrolment(t.db, MASTER, me, "alice")).toBeUndefined();
  });

  it("accepts a code once: the same code replayed in its window and an older code are refused", async () => {
    const { me, secret } = await enrolled();
    const later = T0 + 5 * PERIOD_SECONDS * 1000;
    const code = codeAt(secret, later);
    expect(await checkSecondFactor(t.db, MASTER, me, code, later)).toEqual({ ok: true, via: "totp" });
    expect(await checkSecondFactor(t.db, MASTER, me, code, later + 1000)).toMatchObject({ ok: false, code: "code_reused" });
    // The previous step's code is still inside the window, but older than the one used: refused.
    expect(await checkSecondFactor(t.db, MASTER, me, codeAt(secret, later - PERIOD_SECONDS * 1000), later)).toMatchObject({ ok: false, code: "code_reused" });
    // Two racing requests with the next code: exactly one wins.
    const next = later + PERIOD_SECONDS * 1000;
    const raced = await Promise.all([checkSecondFactor(t.db, MASTER, me, codeAt(secret, next), next), checkSecondFactor(t.db, MASTER, me, codeAt(secret, next), next)]);
    expect(raced.filter((r) => r.ok)).toHaveLength(1);
    // Wrong and malformed codes.
    const far = T0 + 100 * PERIOD_SECONDS * 1000;
    expect(await checkSecondFactor(t.db, MASTER, me, codeAt(secret, T0 + 50 * PERIOD_SECONDS * 1000), far)).toMatchObject({ ok: false, code: "invalid_code" });
    expect(await checkSecondFactor(t.db, MASTER, me, "12ab", far)).toMatchObject({ ok: false, code: "bad_format" });
  });

  it("recovery codes work once each, in any case and spacing", async () => {
    const { me, codes } = await enrolled();
    expect(await checkSecondFactor(t.db, MASTER, me, codes[0]!.toUpperCase().replace(/-/g, " "))).toEqual({ ok: true, via: "recovery" });
    expect(await checkSecondFactor(t.db, MASTER, me, codes[0]!)).toMatchObject({ ok: false, code: "invalid_code" });
    expect(await factorState(t.db, me)).toMatchObject({ state: "on", recoveryCodesLeft: 9 });
    // Another player's code is no good here.
    const other = await enrolled();
    expect(await checkSecondFactor(t.db, MASTER, me, other.codes[0]!)).toMatchObject({ ok: false, code: "invalid_code" });
  });

  it("disables only with a right code; then nothing is left", async () => {
    const { me, secret } = await enrolled();
    const at = T0 + 10 * PERIOD_SECONDS * 1000;
    expect(await disableSecondFactor(t.db, MASTER, me, codeAt(secret, T0 + 40 * PERIOD_SECONDS * 1000), at)).toMatchObject({ ok: false });
    expect(await factorState(t.db, me)).toMatchObject({ state: "on" });
    expect(await disableSecondFactor(t.db, MASTER, me, codeAt(secret, at), at)).toMatchObject({ ok: true });
    expect(await factorState(t.db, me)).toEqual({ state: "off" });
    expect(await rows(t.db, sql`select 1 from recovery_codes where player_id = ${me}`)).toHaveLength(0);
    expect(await checkSecondFactor(t.db, MASTER, me, codeAt(secret, at + 30_000), at + 30_000)).toMatchObject({ ok: false, code: "not_enrolled" });
  });

  it("a secret sealed under another master secret never opens", async () => {
    const { me, secret } = await enrolled();
    const at = T0 + 20 * PERIOD_SECONDS * 1000;
    expect(await checkSecondFactor(t.db, "another-master", me, codeAt(secret, at), at)).toMatchObject({ ok: false, code: "invalid_code" });
  });
});
