/**
 * Authenticating a game server's signed request (ADR 015): headers, time window, key, HMAC
 * (constant time, WebCrypto), nonce (replay), scope. Every refusal is a 401/403 that says what to
 * fix, and changes nothing (only a correctly signed request has its nonce recorded, so that it cannot be replayed).
 */
import type { Db } from "../../db/db";
import { findKey, touchKey, useNonce, type GameServer, type PendingNonce, type Scope } from "../../db/game-servers";
import type { Env } from "../env.server";
import { ApiError } from "../api/http.server";
import { canonicalString, HEADER, readSignedHeaders, sha256Hex, timestampProblem, verify, WINDOW_SECONDS } from "./signature";

export interface AuthedServer {
  server: GameServer;
  keyId: string;
  /** Set when the nonce is still to be recorded, by the action's transaction (mutating calls). */
  pendingNonce: PendingNonce | null;
  idempotencyKey: string | null;
  /** SHA-256 over method, path and query, and the body's digest: what an idempotency key is bound to. */
  requestHash: string;
}

export const MAX_SERVER_BODY_BYTES = 256 * 1024; // a batch of 500 grants with metadata
const CHALLENGE = { "WWW-Authenticate": 'Bazaar-HMAC-SHA256 realm="bazaar-game-servers"' };
const refuse = (code: string, message: string) => new ApiError(401, code, message, undefined, CHALLENGE);

export const masterSecret = (env: Env) => env.SERVER_KEY_SECRET ?? env.SESSION_SECRET;

/** The body's bytes, bounded (they are hashed before they are parsed). */
export async function readBodyBytes(request: Request): Promise<Uint8Array> {
  if (Number(request.headers.get("Content-Length") ?? "0") > MAX_SERVER_BODY_BYTES) {
    throw new ApiError(413, "body_too_large", `the body must be at most ${MAX_SERVER_BODY_BYTES} bytes`);
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.length > MAX_SERVER_BODY_BYTES) throw new ApiError(413, "body_too_large", `the body must be at most ${MAX_SERVER_BODY_BYTES} bytes`);
  return bytes;
}

/**
 * `deferNonce`: a mutating call with an Idempotency-Key records its nonce in its own transaction
 * (db/game-servers/idempotency.ts); everything else records it here, before the handler runs.
 */
export async function authenticateServer(
  db: Db, env: Env, request: Request, body: Uint8Array, scope: Scope | undefined, deferNonce = false,
  background: (p: Promise<unknown>) => void = () => {}, nowMs = Date.now(),
): Promise<AuthedServer> {
  const read = readSignedHeaders(request.headers);
  if (!read.ok) throw refuse("unsigned_request", read.problem);
  const h = read.value;
  const late = timestampProblem(h.timestamp, nowMs);
  if (late) throw refuse("timestamp_out_of_window", late);
  const found = await findKey(db, masterSecret(env), h.keyId);
  if (!found) throw refuse("unknown_key", `key ${h.keyId} is unknown or revoked, or its game server is disabled`);
  const url = new URL(request.url);
  const pathAndQuery = url.pathname + url.search;
  const bodySha256 = await sha256Hex(body);
  const canonical = canonicalString({ method: request.method, pathAndQuery, timestamp: h.timestamp, nonce: h.nonce, idempotencyKey: h.idempotencyKey, bodySha256 });
  if (!(await verify(found.secret, canonical, h.signature))) {
    throw refuse(
      "bad_signature",
      `the signature does not match this request. Sign the canonical string of docs/game-servers.md (method, path and query as sent, ${HEADER.timestamp}, ${HEADER.nonce}, ${HEADER.idempotencyKey}, SHA-256 of the exact body bytes) with this key's secret`,
    );
  }
  const defer = deferNonce && h.idempotencyKey !== null;
  if (defer && (!found.lastUsedAt || nowMs - new Date(found.lastUsedAt).getTime() > 60_000)) {
    background(touchKey(db, h.keyId).catch(() => undefined)); // useNonce does it on the other path
  }
  if (!defer && !(await useNonce(db, h.keyId, h.nonce, WINDOW_SECONDS))) throw replayed(h.keyId, h.nonce);
  if (scope && !found.server.scopes.includes(scope)) {
    throw new ApiError(403, "missing_scope", `game server ${found.server.name} does not have the scope ${scope} this call needs (it has: ${found.server.scopes.join(", ") || "none"}); an operator can grant it`);
  }
  const requestHash = await sha256Hex(`${request.method.toUpperCase()}\n${pathAndQuery}\n${bodySha256}`);
  return { server: found.server, keyId: h.keyId, idempotencyKey: h.idempotencyKey, requestHash, pendingNonce: defer ? { keyId: h.keyId, nonce: h.nonce, windowSeconds: WINDOW_SECONDS } : null };
}

export const replayed = (keyId: string, nonce: string) =>
  refuse("replayed_request", `this request was already received (key ${keyId} used nonce ${nonce} before). Every request needs a new nonce; to retry a call, sign it again with the same ${HEADER.idempotencyKey}`);
