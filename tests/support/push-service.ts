/**
 * A push service of our own for tests (ADR 014): a plain-HTTP server on 127.0.0.1 that receives
 * what the sender POSTs to a subscription's endpoint and checks it the way a real push service and
 * browser would, with node:crypto only (the test oracle, independent of the library that encrypts):
 *
 *  - VAPID (RFC 8292): `Authorization: vapid t=<JWT>, k=<key>`: the JWT is ES256, signed by k, its
 *    audience is the endpoint's origin (https: the sender signs loopback endpoints for https), it has
 *    not expired and expires within 24 h, its subject is a mailto: or https: URL;
 *  - the body (RFC 8291 + RFC 8188 aes128gcm) decrypts with the subscription's private key and auth
 *    secret, which `browserSubscription()` makes the way a browser does.
 *
 * Each endpoint path answers from a script of statuses (default 201), so tests can play 404, 410,
 * 429 with Retry-After, 5xx, or a slow service.
 */
import { createECDH, createDecipheriv, createHmac, createPublicKey, randomBytes, randomUUID, verify } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateVapidKeys } from "../../scripts/vapid";

const b64url = (b: Buffer) => b.toString("base64url");

export interface BrowserSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** The device's side: what only the browser holds. */
  privateKey: Buffer;
  publicKey: Buffer;
  authSecret: Buffer;
}

/** A subscription as a browser makes one: a P-256 ECDH key pair and a 16-byte auth secret. */
export function browserSubscription(endpoint: string): BrowserSubscription {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const publicKey = ecdh.getPublicKey(); // 65 bytes, uncompressed
  const authSecret = randomBytes(16);
  return { endpoint, keys: { p256dh: b64url(publicKey), auth: b64url(authSecret) }, privateKey: ecdh.getPrivateKey(), publicKey, authSecret };
}

const hmac = (key: Buffer, data: Buffer) => createHmac("sha256", key).update(data).digest();

/** RFC 8291 §3.4 + RFC 8188: the plaintext of an aes128gcm push message body (single record). */
export function decryptAes128gcm(body: Buffer, sub: Pick<BrowserSubscription, "privateKey" | "publicKey" | "authSecret">): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderPublic = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error(`keyid must be the sender's 65-byte public key, got ${idlen} bytes`);
  if (record.length > rs) throw new Error(`one record expected (rs ${rs}, record ${record.length})`);
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(sub.privateKey);
  const shared = ecdh.computeSecret(senderPublic);
  const prkKey = hmac(sub.authSecret, shared);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), sub.publicKey, senderPublic]);
  const ikm = hmac(prkKey, Buffer.concat([keyInfo, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from("Content-Encoding: aes128gcm\0\x01", "binary")).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from("Content-Encoding: nonce\0\x01", "binary")).subarray(0, 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 0x02) throw new Error(`the last record must end with the delimiter 0x02, found ${padded[end]}`);
  return padded.subarray(0, end);
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

/** Checks `Authorization: vapid t=..., k=...` (RFC 8292); returns the claims and the key, or throws. */
export function verifyVapid(header: string | undefined, expectedAudience: string, nowSeconds = Math.floor(Date.now() / 1000)): { claims: VapidClaims; key: string } {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!m) throw new Error(`Authorization is not "vapid t=<jwt>, k=<key>": ${header}`);
  const [jwt, key] = [m[1]!, m[2]!];
  const [h, p, s] = jwt.split(".") as [string, string, string];
  const head = JSON.parse(Buffer.from(h, "base64url").toString()) as { alg?: string; typ?: string };
  if (head.alg !== "ES256") throw new Error(`JWT alg must be ES256, got ${head.alg}`);
  const point = Buffer.from(key, "base64url");
  if (point.length !== 65 || point[0] !== 4) throw new Error("k must be a 65-byte uncompressed P-256 point");
  const publicKey = createPublicKey({ key: { kty: "EC", crv: "P-256", x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) }, format: "jwk" });
  const ok = verify("sha256", Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
  if (!ok) throw new Error("the VAPID JWT signature does not verify with k");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as VapidClaims;
  if (claims.aud !== expectedAudience) throw new Error(`JWT aud must be ${expectedAudience}, got ${claims.aud}`);
  if (!(claims.exp > nowSeconds)) throw new Error(`JWT expired (exp ${claims.exp}, now ${nowSeconds})`);
  if (claims.exp > nowSeconds + 24 * 3600) throw new Error(`JWT exp more than 24 h ahead (${claims.exp - nowSeconds} s)`);
  if (!/^(mailto:|https:)/.test(claims.sub)) throw new Error(`JWT sub must be mailto: or https:, got ${claims.sub}`);
  return { claims, key };
}

export interface Received<T = unknown> {
  path: string;
  at: number;
  status: number;
  /** The decrypted JSON (undefined when the check failed: see `error`). */
  message?: T;
  error?: string;
  headers: Record<string, string | undefined>;
  claims?: VapidClaims;
  vapidKey?: string;
  bodyBytes: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface PushService {
  url: string;
  port: number;
  /** Every request, in arrival order, checked and decrypted. */
  received: Received[];
  /** A new device on this service: endpoint http://127.0.0.1:<port>/push/<id>. */
  device(): BrowserSubscription;
  /** Replies for the next requests to this device (then 201s). */
  script(device: BrowserSubscription | string, replies: Reply[]): void;
  /** Messages (decrypted, checked) delivered to one device: the ones answered 2xx. */
  delivered<T = unknown>(device: BrowserSubscription): T[];
  /** The most requests open at once since the start (or the last call with reset). */
  peakInFlight(reset?: boolean): number;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

export async function startPushService(port = 0): Promise<PushService> {
  const devices = new Map<string, BrowserSubscription>();
  const scripts = new Map<string, Reply[]>();
  const received: Received[] = [];
  let base = "";
  let inFlight = 0;
  let peak = 0;
  const server: Server = createServer(async (req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    res.on("close", () => inFlight--);
    const body = await readBody(req);
    const path = (req.url ?? "/").split("?")[0]!;
    const device = devices.get(path);
    const headers = {
      "content-encoding": req.headers["content-encoding"] as string | undefined,
      "content-type": req.headers["content-type"] as string | undefined,
      ttl: req.headers.ttl as string | undefined,
      topic: req.headers.topic as string | undefined,
      urgency: req.headers.urgency as string | undefined,
    };
    const reply = scripts.get(path)?.shift() ?? { status: 201 };
    const entry: Received = { path, at: Date.now(), status: reply.status, headers, bodyBytes: body.length };
    try {
      if (req.method !== "POST") throw new Error(`method ${req.method}`);
      if (!device) throw new Error(`no such subscription ${path}`);
      if (headers["content-encoding"] !== "aes128gcm") throw new Error(`Content-Encoding must be aes128gcm, got ${headers["content-encoding"]}`);
      if (!/^\d+$/.test(headers.ttl ?? "")) throw new Error("TTL header missing");
      // The sender signs a loopback endpoint for its https twin (RFC 8292 audiences are https origins).
      const { claims, key } = verifyVapid(req.headers.authorization, base.replace(/^http:/, "https:"));
      entry.claims = claims;
      entry.vapidKey = key;
      entry.message = JSON.parse(decryptAes128gcm(body, device).toString("utf8"));
    } catch (error) {
      entry.error = (error as Error).message;
      entry.status = 400;
    }
    received.push(entry);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    res.writeHead(entry.status, reply.headers ?? {});
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${actual}`;
  return {
    url: base,
    port: actual,
    received,
    device() {
      const path = `/push/${randomUUID()}`;
      const sub = browserSubscription(`${base}${path}`);
      devices.set(path, sub);
      return sub;
    },
    script(device, replies) {
      const path = new URL(typeof device === "string" ? device : device.endpoint).pathname;
      scripts.set(path, [...(scripts.get(path) ?? []), ...replies]);
    },
    delivered<T>(device: BrowserSubscription) {
      const path = new URL(device.endpoint).pathname;
      return received.filter((r) => r.path === path && r.status >= 200 && r.status < 300).map((r) => r.message as T);
    },
    peakInFlight(reset = false) {
      const seen = peak;
      if (reset) peak = inFlight;
      return seen;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A VAPID key pair in the format the worker takes (base64url raw public point, base64url d). */
export function vapidKeys(): { publicKey: string; privateKey: string } {
  const k = generateVapidKeys();
  return { publicKey: k.VAPID_PUBLIC_KEY, privateKey: k.VAPID_PRIVATE_KEY };
}
