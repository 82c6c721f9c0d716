/**
 * Game-server secrets at rest. Verifying an HMAC needs the secret itself, so a hash cannot be
 * stored: the secret is encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from the
 * worker's SERVER_KEY_SECRET, or from SESSION_SECRET when that is not set. Format:
 * "v1.<iv base64url>.<ciphertext+tag base64url>". WebCrypto only (worker, Node, CLI alike).
 * A database dump alone therefore reveals no secret; the master secret alone neither.
 */
const encoder = new TextEncoder();
const INFO = encoder.encode("bazaar game-server keys v1");

const b64u = (bytes: Uint8Array) => {
  let s = "";
  for (const x of bytes) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
const fromB64u = (text: string) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

const keys = new Map<string, Promise<CryptoKey>>();

function boxKey(master: string): Promise<CryptoKey> {
  let key = keys.get(master);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(master), "HKDF", false, ["deriveKey"])
      .then((base) => crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: INFO }, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]));
    keys.set(master, key);
  }
  return key;
}

export async function sealSecret(master: string, secret: string, keyId: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  // The key id is authenticated data: a sealed secret copied onto another key's row does not open.
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(keyId) }, await boxKey(master), encoder.encode(secret));
  return `v1.${b64u(iv)}.${b64u(new Uint8Array(sealed))}`;
}

/** The secret, or undefined when the master secret is not the one it was sealed with. */
export async function openSecret(master: string, sealed: string, keyId: string): Promise<string | undefined> {
  const [v, iv, data] = sealed.split(".");
  if (v !== "v1" || !iv || !data) return undefined;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromB64u(iv), additionalData: encoder.encode(keyId) }, await boxKey(master), fromB64u(data));
    return new TextDecoder().decode(plain);
  } catch {
    return undefined;
  }
}

export const randomToken = (bytes: number) => b64u(crypto.getRandomValues(new Uint8Array(bytes)));
/** A new key id and secret: "gsk_" + 22 and "gss_" + 43 base64url characters. */
export const newKeyPair = () => ({ keyId: `gsk_${randomToken(16)}`, secret: `gss_${randomToken(32)}` });
