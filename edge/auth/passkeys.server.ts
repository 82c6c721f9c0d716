/**
 * Passkeys at the edge (issue 20, ADR 036), with @simplewebauthn/server (WebCrypto only, so it runs
 * inside the worker): the options a browser needs for a ceremony, and the checks of its answer.
 *
 * Every ceremony starts with a challenge the server issues and stores (db/security/passkeys.ts);
 * the answer is accepted only with that challenge, once, for the same purpose and player, within
 * five minutes. The origin must be this site's origin and the RP ID its host name: a passkey made on
 * another site (or a phishing copy of this one) is refused. The signature counter only moves
 * forward. Each refusal has its own code and a sentence that names the problem.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/db";
import { frozenMessage } from "../../db/game-servers/freeze";
import { players } from "../../db/schema";
import {
  countPasskeys,
  findByCredentialId,
  insertPasskey,
  listPasskeys,
  MAX_PASSKEYS,
  recordUse,
  storeChallenge,
  takeChallenge,
  type ChallengePurpose,
  type Passkey,
} from "../../db/security/passkeys";

export const RP_NAME = "Bazaar";
const TIMEOUT_MS = 120_000;

/** This site as WebAuthn sees it: the RP ID is the host name, the origin the page's origin. */
export interface RelyingParty {
  id: string;
  origin: string;
}

export function relyingParty(request: Request): RelyingParty {
  const url = new URL(request.url);
  return { id: url.hostname, origin: url.origin };
}

export type PasskeyFailure = { ok: false; status: 400 | 401 | 403 | 409; code: string; message: string };
const fail = (status: PasskeyFailure["status"], code: string, message: string): PasskeyFailure => ({ ok: false, status, code, message });

const b64url = z.string().max(20_000).regex(/^[A-Za-z0-9_-]*$/, "must be base64url");
/** The JSON @simplewebauthn/browser's startRegistration() returns; checked in depth by the library. */
export const RegistrationAnswer = z.looseObject({
  id: b64url,
  rawId: b64url,
  type: z.literal("public-key"),
  response: z.looseObject({ clientDataJSON: b64url, attestationObject: b64url, transports: z.array(z.string().max(20)).max(10).optional() }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});
/** The JSON startAuthentication() returns. */
export const AuthenticationAnswer = z.looseObject({
  id: b64url,
  rawId: b64url,
  type: z.literal("public-key"),
  response: z.looseObject({ clientDataJSON: b64url, authenticatorData: b64url, signature: b64url, userHandle: b64url.optional() }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

export const PasskeyName = z
  .string()
  .trim()
  .min(1, "Give the passkey a name (for example the device it is on).")
  .max(60, "A passkey's name is at most 60 characters.");

const TRANSPORTS = new Set<string>(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]);

/** Parse the answer a browser sent as JSON text (a form field) or as a value (the API). */
function parseAnswer<T>(schema: z.ZodType<T>, raw: unknown): { answer: T } | PasskeyFailure {
  let value = raw;
  if (typeof raw === "string") {
    if (raw.length > 60_000) return fail(400, "bad_passkey_answer", "The passkey's answer is too long.");
    try {
      value = JSON.parse(raw);
    } catch {
      return fail(400, "bad_passkey_answer", "The passkey's answer is not JSON: try again.");
    }
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? { answer: parsed.data } : fail(400, "bad_passkey_answer", "The passkey's answer is not what a browser sends: try again.");
}

/** The challenge the authenticator signed (from clientDataJSON), or undefined. */
function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const text = new TextDecoder().decode(Uint8Array.from(atob(clientDataJSON.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));
    const challenge = (JSON.parse(text) as { challenge?: unknown }).challenge;
    return typeof challenge === "string" && challenge.length <= 200 ? challenge : undefined;
  } catch {
    return undefined;
  }
}

async function takeAnswerChallenge(db: Db, clientDataJSON: string, purpose: ChallengePurpose, playerId: string | null): Promise<string | PasskeyFailure> {
  const challenge = challengeOf(clientDataJSON);
  if (!challenge) return fail(400, "bad_passkey_answer", "The passkey's answer has no challenge: try again.");
  if (!(await takeChallenge(db, challenge, purpose, playerId))) {
    return fail(401, "challenge_used", "This passkey answer was already used or has expired (each one works once, for five minutes): try again.");
  }
  return challenge;
}

/** The library's refusals, as sentences a player can act on. */
function refusal(error: unknown, rp: RelyingParty): PasskeyFailure {
  const text = String((error as Error)?.message ?? error);
  if (/origin/i.test(text)) return fail(401, "wrong_origin", `This passkey answer was made for another site, not ${rp.origin}.`);
  if (/RP ID/i.test(text)) return fail(401, "wrong_rp_id", `This passkey belongs to another site, not ${rp.id}.`);
  if (/counter/i.test(text)) return fail(401, "counter_regressed", "This passkey's signature counter went backwards: the authenticator may have been copied. Remove it and add it again.");
  if (/user (was not )?verified|user verification/i.test(text)) return fail(401, "not_verified", "The authenticator did not verify you (PIN, fingerprint or face): try again.");
  if (/challenge/i.test(text)) return fail(401, "challenge_mismatch", "This passkey answer is for another request: try again.");
  return fail(401, "passkey_refused", "The passkey's answer could not be verified: try again.");
}

const transportsOf = (list: string[] | undefined) => (list ?? []).filter((t) => TRANSPORTS.has(t)) as AuthenticatorTransport[];

/** Options for adding a passkey to the player's account (navigator.credentials.create). */
export async function registrationOptions(db: Db, rp: RelyingParty, player: { id: string; username: string }): Promise<PublicKeyCredentialCreationOptionsJSON | PasskeyFailure> {
  const existing = await listPasskeys(db, player.id);
  if (existing.length >= MAX_PASSKEYS) return fail(409, "too_many_passkeys", `You have ${MAX_PASSKEYS} passkeys, the most an account can have: remove one first.`);
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.id,
    userName: player.username,
    userDisplayName: player.username,
    userID: new TextEncoder().encode(player.id),
    attestationType: "none",
    timeout: TIMEOUT_MS,
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: transportsOf(p.transports) })),
    // Discoverable (the username comes from the passkey) and verified (PIN or biometrics): a
    // passkey alone signs in, so it must be both things a player has and is or knows.
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  await storeChallenge(db, options.challenge, "register", player.id);
  return options;
}

/** Check the browser's answer to registrationOptions and store the passkey under `name`. */
export async function addPasskey(db: Db, rp: RelyingParty, playerId: string, name: unknown, answer: unknown): Promise<{ ok: true; passkey: Passkey } | PasskeyFailure> {
  const named = PasskeyName.safeParse(typeof name === "string" ? name : "");
  if (!named.success) return fail(400, "bad_passkey_name", named.error.issues[0]!.message);
  const parsed = parseAnswer(RegistrationAnswer, answer);
  if (!("answer" in parsed)) return parsed;
  const response = parsed.answer;
  const challenge = await takeAnswerChallenge(db, response.response.clientDataJSON, "register", playerId);
  if (typeof challenge !== "string") return challenge;
  if ((await countPasskeys(db, playerId)) >= MAX_PASSKEYS) return fail(409, "too_many_passkeys", `You have ${MAX_PASSKEYS} passkeys, the most an account can have: remove one first.`);
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: response as unknown as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch (error) {
    return refusal(error, rp);
  }
  if (!verified.verified || !verified.registrationInfo) return fail(401, "passkey_refused", "The passkey could not be verified: try again.");
  const { credential } = verified.registrationInfo;
  const stored = await insertPasskey(db, {
    playerId,
    credentialId: credential.id,
    publicKey: bytesToBase64url(credential.publicKey),
    counter: credential.counter,
    transports: transportsOf(credential.transports ?? response.response.transports),
    name: named.data,
  });
  if (!stored) return fail(409, "passkey_exists", "This passkey is already added to an account.");
  return { ok: true, passkey: stored };
}

/**
 * Options for using a passkey. sign-in: any passkey on this device (discoverable, no username);
 * second-factor and step-up: one of this player's passkeys.
 */
export async function authenticationOptions(db: Db, rp: RelyingParty, purpose: Exclude<ChallengePurpose, "register">, playerId: string | null): Promise<PublicKeyCredentialRequestOptionsJSON | PasskeyFailure> {
  let allow: Passkey[] = [];
  if (purpose !== "sign-in") {
    if (!playerId) return fail(401, "not_signed_in", "Sign in first.");
    allow = await listPasskeys(db, playerId);
    if (allow.length === 0) return fail(409, "no_passkey", "This account has no passkey.");
  }
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    timeout: TIMEOUT_MS,
    userVerification: "required",
    allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: transportsOf(p.transports) })),
  });
  await storeChallenge(db, options.challenge, purpose, purpose === "sign-in" ? null : playerId);
  return options;
}

/**
 * Check a passkey's answer to authenticationOptions. For sign-in the passkey names the player; for
 * second-factor and step-up it must be one of `playerId`'s. The counter moves forward and the use
 * is recorded; the player must be active and not frozen.
 */
export async function checkPasskey(
  db: Db,
  rp: RelyingParty,
  purpose: Exclude<ChallengePurpose, "register">,
  playerId: string | null,
  answer: unknown,
): Promise<{ ok: true; playerId: string; username: string; passkeyId: string } | PasskeyFailure> {
  const parsed = parseAnswer(AuthenticationAnswer, answer);
  if (!("answer" in parsed)) return parsed;
  const response = parsed.answer;
  const challenge = await takeAnswerChallenge(db, response.response.clientDataJSON, purpose, purpose === "sign-in" ? null : playerId);
  if (typeof challenge !== "string") return challenge;
  const passkey = await findByCredentialId(db, response.id);
  if (!passkey || (purpose !== "sign-in" && passkey.playerId !== playerId)) {
    return fail(401, "unknown_passkey", "This passkey is not on any Bazaar account (it may have been removed): sign in with your password.");
  }
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: passkey.credentialId, publicKey: base64urlToBytes(passkey.publicKey), counter: passkey.counter, transports: transportsOf(passkey.transports) },
      requireUserVerification: true,
    });
  } catch (error) {
    return refusal(error, rp);
  }
  if (!verified.verified) return fail(401, "passkey_refused", "The passkey's answer could not be verified: try again.");
  // The library refuses a lower counter; this UPDATE also refuses two racing answers with one count.
  if (!(await recordUse(db, passkey.id, verified.authenticationInfo.newCounter))) {
    return fail(401, "counter_regressed", "This passkey's signature counter went backwards: the authenticator may have been copied. Remove it and add it again.");
  }
  const [player] = await db.select({ username: players.username, status: players.status, frozenAt: players.frozenAt, frozenReason: players.frozenReason }).from(players).where(eq(players.id, passkey.playerId));
  if (!player) return fail(401, "unknown_passkey", "This passkey is not on any Bazaar account.");
  if (player.frozenAt) return fail(403, "account_frozen", frozenMessage(player.frozenReason));
  if (player.status !== "active") return fail(403, "account_suspended", `this account is ${player.status}`);
  return { ok: true, playerId: passkey.playerId, username: player.username, passkeyId: passkey.id };
}

export function bytesToBase64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function base64urlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
