/**
 * Signed tokens between the edge and the rooms (WebCrypto HMAC-SHA256, works in Workers, rooms and
 * Node). A player's connection token says who may connect and until when; a service token lets the
 * edge send commands on a player's behalf. Both are short-lived and checked before anything runs.
 */
const encoder = new TextEncoder();
/**
 * Imported per call on purpose: a cached Promise made in one request and awaited in another is
 * cross-request I/O, which workerd refuses by dropping the connection.
 */
function key(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

const b64url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

function fromB64url(text: string): Uint8Array | undefined {
  try {
    const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

async function sign(secret: string, payload: string): Promise<string> {
  return b64url(await crypto.subtle.sign("HMAC", await key(secret), encoder.encode(payload)));
}

async function verify(secret: string, payload: string, signature: string): Promise<boolean> {
  const sig = fromB64url(signature);
  return !!sig && crypto.subtle.verify("HMAC", await key(secret), sig as Uint8Array<ArrayBuffer>, encoder.encode(payload));
}

/** "<kind>.<subject>.<expires>.<signature>"; the subject is a player id or "edge". */
export async function issueToken(secret: string, kind: "player" | "service", subject: string, ttlSeconds: number, now = Date.now()): Promise<string> {
  const expires = Math.floor(now / 1000) + ttlSeconds;
  const payload = `${kind}.${subject}.${expires}`;
  return `${payload}.${await sign(secret, payload)}`;
}

/** The token's subject if it is a valid, unexpired token of that kind; otherwise undefined. */
export async function checkToken(secret: string, kind: "player" | "service", token: string | null | undefined, now = Date.now()): Promise<string | undefined> {
  if (!token || token.length > 400) return undefined;
  const parts = token.split(".");
  if (parts.length !== 4 || parts[0] !== kind) return undefined;
  const [, subject, expires, signature] = parts as [string, string, string, string];
  if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < now) return undefined;
  return (await verify(secret, `${kind}.${subject}.${expires}`, signature)) ? subject : undefined;
}
