/**
 * The TOTP second factor (issue 20, ADR 028): enrol (a secret and its otpauth:// URI for the QR
 * code), confirm with a first code (the factor is then on and ten recovery codes are shown once),
 * check a code or a recovery code at sign-in and for step-up, disable with a code.
 *
 * The secret is stored sealed (AES-GCM under the worker's secret, the player id as associated data);
 * recovery codes only as SHA-256. A TOTP code is accepted at most once: `last_step` moves forward in
 * the same UPDATE that accepts it, so the same code (or an older one) replayed within its window is
 * refused, even by two requests racing.
 */
import { and, eq, isNull, lt, sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { randomBytes } from "node:crypto";
import type { Db } from "../db";
import { recoveryCodes, secondFactors } from "../schema";
import { openSecret, sealSecret } from "../../edge/server-api/secret-box";
import { digest } from "../../edge/auth/tokens";

export const PERIOD_SECONDS = 30;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "Bazaar";

export type FactorState = { state: "off" } | { state: "pending" } | { state: "on"; recoveryCodesLeft: number; since: Date };
export type CodeCheck = { ok: true; via: "totp" | "recovery" } | { ok: false; code: "invalid_code" | "code_reused" | "not_enrolled" | "bad_format"; message: string };

const associated = (playerId: string) => `second-factor:${playerId}`;

export function totp(secretBase32: string, username: string): TOTP {
  return new TOTP({ issuer: ISSUER, label: username, algorithm: "SHA1", digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** "abcd-efgh-jkmn": 60 random bits in an alphabet without look-alikes. */
function newRecoveryCode(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const bytes = randomBytes(12);
  let s = "";
  for (let i = 0; i < 12; i++) s += alphabet[bytes[i]! % alphabet.length];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

const normalizeRecovery = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, "");
export const looksLikeRecoveryCode = (code: string) => /^[a-z0-9]{12}$/.test(normalizeRecovery(code)) && !/^\d+$/.test(code.trim());

export async function factorState(db: Db, playerId: string): Promise<FactorState> {
  const [row] = await db.select({ confirmedAt: secondFactors.confirmedAt }).from(secondFactors).where(eq(secondFactors.playerId, playerId));
  if (!row) return { state: "off" };
  if (!row.confirmedAt) return { state: "pending" };
  const [left] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.playerId, playerId), isNull(recoveryCodes.usedAt)));
  return { state: "on", recoveryCodesLeft: left?.n ?? 0, since: row.confirmedAt };
}

export const hasSecondFactor = async (db: Db, playerId: string) => (await factorState(db, playerId)).state === "on";

/**
 * Start (or restart) enrolment: a new secret replaces an unconfirmed one. Refused while a confirmed
 * factor is on (disable it first). Returns the secret (for typing in by hand) and the otpauth URI.
 */
export async function startEnrolment(db: Db, master: string, playerId: string, username: string): Promise<{ ok: true; secret: string; uri: string } | { ok: false; message: string }> {
  const secret = new Secret({ size: 20 }).base32;
  const sealed = await sealSecret(master, secret, associated(playerId));
  const written = await db
    .insert(secondFactors)
    .values({ playerId, secretEnc: sealed })
    .onConflictDoUpdate({ target: secondFactors.playerId, set: { secretEnc: sealed, lastStep: 0, createdAt: sql`now()` }, setWhere: isNull(secondFactors.confirmedAt) })
    .returning({ playerId: secondFactors.playerId });
  if (written.length === 0) return { ok: false, message: "Two-factor sign-in is already on. Turn it off first to use another authenticator." };
  return { ok: true, secret, uri: totp(secret, username).toString() };
}

/** The unconfirmed enrolment's secret and URI (to show the QR code again), if any. */
export async function pendingEnrolment(db: Db, master: string, playerId: string, username: string): Promise<{ secret: string; uri: string } | undefined> {
  const [row] = await db.select().from(secondFactors).where(and(eq(secondFactors.playerId, playerId), isNull(secondFactors.confirmedAt)));
  if (!row) return undefined;
  const secret = await openSecret(master, row.secretEnc, associated(playerId));
  return secret ? { secret, uri: totp(secret, username).toString() } : undefined;
}

/** Check a 6-digit code against the stored secret and consume its time step. */
async function acceptTotp(db: Db, master: string, playerId: string, code: string, confirmed: boolean, now: number): Promise<CodeCheck> {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return { ok: false, code: "bad_format", message: "The code must be the 6 digits your authenticator app shows." };
  const [row] = await db.select().from(secondFactors).where(eq(secondFactors.playerId, playerId));
  if (!row || (row.confirmedAt !== null) !== confirmed) return { ok: false, code: "not_enrolled", message: confirmed ? "Two-factor sign-in is not on for this account." : "Start setting up two-factor sign-in first." };
  const secret = await openSecret(master, row.secretEnc, associated(playerId));
  if (!secret) return { ok: false, code: "invalid_code", message: "That code is not right. Check your authenticator app's clock and try the current code." };
  const delta = totp(secret, "").validate({ token, timestamp: now, window: 1 });
  if (delta === null) return { ok: false, code: "invalid_code", message: "That code is not right. Check your authenticator app's clock and try the current code." };
  const step = Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
  const moved = await db
    .update(secondFactors)
    .set({ lastStep: step })
    .where(and(eq(secondFactors.playerId, playerId), lt(secondFactors.lastStep, step)))
    .returning({ playerId: secondFactors.playerId });
  if (moved.length === 0) return { ok: false, code: "code_reused", message: "That code was already used. Wait for the next code in your authenticator app." };
  return { ok: true, via: "totp" };
}

/** Confirm the enrolment with a first code: the factor is on; returns the recovery codes (shown once). */
export async function confirmEnrolment(db: Db, master: string, playerId: string, code: string, now = Date.now()): Promise<{ ok: true; recoveryCodes: string[] } | Extract<CodeCheck, { ok: false }>> {
  const check = await acceptTotp(db, master, playerId, code, false, now);
  if (!check.ok) return check;
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.transaction(async (tx) => {
    await tx.update(secondFactors).set({ confirmedAt: sql`now()` }).where(eq(secondFactors.playerId, playerId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.playerId, playerId));
    await tx.insert(recoveryCodes).values(codes.map((c) => ({ playerId, codeHash: digest(`recovery:${normalizeRecovery(c)}`) })));
  });
  return { ok: true, recoveryCodes: codes };
}

/** The second factor at sign-in or step-up: a current TOTP code, or an unused recovery code (then used up). */
export async function checkSecondFactor(db: Db, master: string, playerId: string, code: string, now = Date.now()): Promise<CodeCheck> {
  if (code.length > 40) return { ok: false, code: "bad_format", message: "Enter the 6-digit code or a recovery code." };
  if (looksLikeRecoveryCode(code)) {
    if (!(await hasSecondFactor(db, playerId))) return { ok: false, code: "not_enrolled", message: "Two-factor sign-in is not on for this account." };
    const used = await db
      .update(recoveryCodes)
      .set({ usedAt: sql`now()` })
      .where(and(eq(recoveryCodes.codeHash, digest(`recovery:${normalizeRecovery(code)}`)), eq(recoveryCodes.playerId, playerId), isNull(recoveryCodes.usedAt)))
      .returning({ codeHash: recoveryCodes.codeHash });
    return used.length > 0 ? { ok: true, via: "recovery" } : { ok: false, code: "invalid_code", message: "That recovery code is not right or was already used." };
  }
  return acceptTotp(db, master, playerId, code, true, now);
}

/** Turn the factor off (after a code or recovery code): the secret and recovery codes are deleted. */
export async function disableSecondFactor(db: Db, master: string, playerId: string, code: string, now = Date.now()): Promise<CodeCheck> {
  const check = await checkSecondFactor(db, master, playerId, code, now);
  if (!check.ok) return check;
  await removeSecondFactor(db, playerId);
  return check;
}

/** Delete the factor and its recovery codes; only after the caller checked a code (step-up). */
export async function removeSecondFactor(db: Db, playerId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.playerId, playerId));
    await tx.delete(secondFactors).where(eq(secondFactors.playerId, playerId));
  });
}
