/**
 * Signed game-server requests (issue 17, ADR 015): the canonical string, HMAC-SHA256 signing and
 * verification, the time window. Pure and platform-free (WebCrypto only): the worker, the Node
 * client (clients/game-server) and the tests share it. docs/game-servers.md spells the same rules.
 *
 * The canonical string is these seven lines joined by "\n" (no trailing newline):
 *   BAZAAR-HMAC-SHA256
 *   <METHOD>                 upper case: GET, POST, PATCH, DELETE
 *   <path and query>         exactly as sent, e.g. /api/v1/server/players/<id>/inventory?x=1
 *   <timestamp>              unix seconds, decimal, the X-Bazaar-Timestamp header
 *   <nonce>                  the X-Bazaar-Nonce header: 16-64 characters of [A-Za-z0-9_-], new for every request
 *   <idempotency key>        the Idempotency-Key header, or empty when there is none
 *   <body sha256>            lower-case hex SHA-256 of the raw body bytes (of "" when there is no body)
 * signature = lower-case hex HMAC-SHA256(key = UTF-8 bytes of the secret, message = canonical string),
 * sent as X-Bazaar-Signature, with the key id as X-Bazaar-Key.
 */
export const SCHEME = "BAZAAR-HMAC-SHA256";
/** A request whose timestamp is further than this from the server's clock, either way, is refused. */
export const WINDOW_SECONDS = 300;

export const HEADER = {
  key: "X-Bazaar-Key",
  timestamp: "X-Bazaar-Timestamp",
  nonce: "X-Bazaar-Nonce",
  signature: "X-Bazaar-Signature",
  idempotencyKey: "Idempotency-Key",
} as const;

export const KEY_ID = /^gsk_[A-Za-z0-9_-]{22}$/;
export const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;

export interface Canonical {
  method: string;
  pathAndQuery: string;
  timestamp: string;
  nonce: string;
  idempotencyKey: string | null;
  bodySha256: string;
}

export function canonicalString(c: Canonical): string {
  return [SCHEME, c.method.toUpperCase(), c.pathAndQuery, c.timestamp, c.nonce, c.idempotencyKey ?? "", c.bodySha256].join("\n");
}

const encoder = new TextEncoder();
const toBytes = (v: string | Uint8Array): Uint8Array<ArrayBuffer> => (typeof v === "string" ? encoder.encode(v) : new Uint8Array(v));
const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(body: string | Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", toBytes(body)));
}

const hmacKey = (secret: string, usage: "sign" | "verify") =>
  crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);

export async function sign(secret: string, canonical: string): Promise<string> {
  return hex(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), encoder.encode(canonical)));
}

/** Constant time: WebCrypto's HMAC verify compares the MACs itself. */
export async function verify(secret: string, canonical: string, signatureHex: string): Promise<boolean> {
  if (!SIGNATURE.test(signatureHex)) return false;
  const mac = new Uint8Array(32);
  for (let i = 0; i < 32; i++) mac[i] = Number.parseInt(signatureHex.slice(i * 2, i * 2 + 2), 16);
  return crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), mac, encoder.encode(canonical));
}

/** Why a timestamp is refused, or undefined when it is inside the window. */
export function timestampProblem(timestamp: string, nowMs: number): string | undefined {
  if (!/^[0-9]{1,12}$/.test(timestamp)) return `${HEADER.timestamp} must be unix seconds (a whole number)`;
  const skew = Number(timestamp) - Math.floor(nowMs / 1000);
  if (skew < -WINDOW_SECONDS) return `the request is too old: its timestamp is ${-skew} s behind the server's clock (at most ${WINDOW_SECONDS} s); sign it again with the current time`;
  if (skew > WINDOW_SECONDS) return `the request's timestamp is ${skew} s ahead of the server's clock (at most ${WINDOW_SECONDS} s); check the game server's clock`;
  return undefined;
}

export interface SignedHeaders {
  keyId: string;
  timestamp: string;
  nonce: string;
  signature: string;
  idempotencyKey: string | null;
}

/** The signing headers, shape-checked; a problem names the header. */
export function readSignedHeaders(headers: Headers): { ok: true; value: SignedHeaders } | { ok: false; problem: string } {
  const get = (name: string) => headers.get(name);
  const keyId = get(HEADER.key);
  const timestamp = get(HEADER.timestamp);
  const nonce = get(HEADER.nonce);
  const signature = get(HEADER.signature);
  const idempotencyKey = get(HEADER.idempotencyKey);
  if (!keyId || !timestamp || !nonce || !signature) {
    const missing = [[HEADER.key, keyId], [HEADER.timestamp, timestamp], [HEADER.nonce, nonce], [HEADER.signature, signature]].filter(([, v]) => !v).map(([k]) => k);
    return { ok: false, problem: `a game-server request must be signed: missing ${missing.join(", ")} (see docs/game-servers.md)` };
  }
  if (!KEY_ID.test(keyId)) return { ok: false, problem: `${HEADER.key} must be a key id such as gsk_ followed by 22 characters` };
  if (!NONCE.test(nonce)) return { ok: false, problem: `${HEADER.nonce} must be 16-64 characters of A-Z a-z 0-9 _ -` };
  if (!SIGNATURE.test(signature)) return { ok: false, problem: `${HEADER.signature} must be 64 lower-case hex characters (HMAC-SHA256)` };
  if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    return { ok: false, problem: `${HEADER.idempotencyKey} must be 8-128 characters of A-Z a-z 0-9 _ . : -` };
  }
  return { ok: true, value: { keyId, timestamp, nonce, signature, idempotencyKey } };
}

const randomId = (bytes: number) => {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
export const newNonce = () => randomId(18);

/** Headers that sign one request (what the game-server client's middleware adds). */
export async function signRequest(r: {
  keyId: string;
  secret: string;
  method: string;
  pathAndQuery: string;
  body?: string | Uint8Array;
  idempotencyKey?: string | null;
  nowMs?: number;
  nonce?: string;
}): Promise<Record<string, string>> {
  const timestamp = String(Math.floor((r.nowMs ?? Date.now()) / 1000));
  const nonce = r.nonce ?? newNonce();
  const bodySha256 = await sha256Hex(r.body ?? "");
  const canonical = canonicalString({ method: r.method, pathAndQuery: r.pathAndQuery, timestamp, nonce, idempotencyKey: r.idempotencyKey ?? null, bodySha256 });
  const headers: Record<string, string> = {
    [HEADER.key]: r.keyId,
    [HEADER.timestamp]: timestamp,
    [HEADER.nonce]: nonce,
    [HEADER.signature]: await sign(r.secret, canonical),
  };
  if (r.idempotencyKey) headers[HEADER.idempotencyKey] = r.idempotencyKey;
  return headers;
}
