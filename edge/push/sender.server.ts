/**
 * The push sender (ADR 014): drains the alerts outbox. Runs in the Worker (the cron trigger every
 * minute, and POST /__push/drain, which whoever commits an alert pokes so that the push leaves within
 * about a second), and in Node for tests; it needs fetch and WebCrypto only.
 *
 * One round: claim a small batch of due alerts (a lease, db/push.ts), load their players' devices,
 * encrypt (RFC 8291 aes128gcm) one request per device with @block65/webcrypto-web-push, sign it
 * (RFC 8292 VAPID; one header per push service, reused for an hour: vapid-cache.ts), POST them with
 * a timeout, classify the answers (classify.ts), delete the subscriptions that are gone, settle each alert: sent, due again later (backoff.ts) or dead.
 *
 * A drain runs `lanes` claim loops at once (ADR 019): a round spends most of its time waiting (on
 * the database, then on the slowest push service), so one loop sends only a few hundred pushes a
 * second. The claims' SKIP LOCKED gives each loop disjoint rows; all loops share one limit on the
 * requests in flight. Each loop repeats rounds while full batches come back, within a time budget.
 */
import { encryptNotification } from "@block65/webcrypto-web-push";
import pLimit, { type LimitFunction } from "p-limit";
import type { Db } from "../../db/db";
import { claimDueAlerts, devicesOf, forgetSubscriptions, settleAlerts, touchSubscriptions, type ClaimedAlert, type DeviceKeys, type Settlement } from "../../db/push";
import { parseRetryAfter } from "./backoff";
import { alertOutcome, classifyPushStatus, type PushResult } from "./classify";
import { pushPayloadText } from "./payload";
import { checkKeys, endpointProblem, fromBase64Url } from "./subscription";
import { vapidAuthorization } from "./vapid-cache";

export interface VapidConfig {
  /** base64url, 65-byte uncompressed P-256 point */
  publicKey: string;
  /** base64url, 32-byte private scalar */
  privateKey: string;
  /** mailto: or https: contact */
  subject: string;
}

export interface SenderOptions {
  vapid: VapidConfig;
  /** Accept http://127.0.0.1 endpoints (tests): the request is built for https and posted over http. */
  allowLoopback?: boolean;
  fetch?: typeof fetch;
  /** Alerts per claim (default 20). */
  batchSize?: number;
  /** How long a claim holds its rows (default 60 s; must exceed one round's sending time). */
  leaseSeconds?: number;
  /** Per request to a push service (default 10 s). */
  timeoutMs?: number;
  /** Stop starting rounds after this long (default 20 s). */
  budgetMs?: number;
  /** Claim loops running at once (default 4; the Worker uses 2, see drain.server.ts). */
  lanes?: number;
  /** Requests to push services in flight at once, over all lanes (default 32). */
  maxInFlight?: number;
  /** Seconds a push service keeps the message for an offline device (default 12 h). */
  ttlSeconds?: number;
  random?: () => number;
  log?: (line: Record<string, unknown>) => void;
}

export interface DrainReport {
  /** Claim loops that ran (at most SenderOptions.lanes). */
  lanes: number;
  rounds: number;
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
  /** Requests that push services took (one per device). */
  delivered: number;
  /** Subscriptions deleted because their push service answered 404/410. */
  gone: number;
  rejected: number;
  /** Alerts whose settle found the row claimed again by another sender (their lease ran out). */
  stale: number;
}

const emptyReport = (): DrainReport => ({ lanes: 0, rounds: 0, claimed: 0, sent: 0, retried: 0, dead: 0, delivered: 0, gone: 0, rejected: 0, stale: 0 });

/** The alert id as an RFC 8030 Topic (at most 32 base64url characters): a queued retry replaces the earlier copy. */
export const topicOf = (alertId: string) => alertId.replaceAll("-", "").slice(0, 32);

const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;

/** Encrypts and sends one alert to one device; never throws. */
export async function sendToDevice(alert: ClaimedAlert, device: DeviceKeys, options: SenderOptions): Promise<PushResult> {
  const doFetch = options.fetch ?? fetch;
  const problem = endpointProblem(device.endpoint, { allowLoopback: options.allowLoopback });
  if (problem) return { kind: "gone", status: 0 };
  // Loopback test services speak plain HTTP; the request is built (VAPID audience, as RFC 8292
  // wants an https origin) for the same address under https.
  const loopback = LOOPBACK_HTTP.test(device.endpoint);
  const signedFor = loopback ? device.endpoint.replace(/^http:/, "https:") : device.endpoint;
  let request: { headers: Record<string, string>; body: Uint8Array<ArrayBuffer> };
  try {
    const subscription = { endpoint: signedFor, expirationTime: null, keys: { p256dh: device.p256dh, auth: device.auth } };
    const [authorization, body] = await Promise.all([
      vapidAuthorization(signedFor, options.vapid),
      encryptNotification(subscription, new TextEncoder().encode(pushPayloadText(alert))),
    ]);
    request = {
      headers: {
        authorization,
        ttl: String(options.ttlSeconds ?? 12 * 3_600),
        topic: topicOf(alert.id),
        "content-encoding": "aes128gcm",
        "content-length": String(body.byteLength),
        "content-type": "application/octet-stream",
      },
      body,
    };
  } catch (error) {
    // The device's keys (checked at subscribe, so not expected) or ours (VAPID: an operator's problem;
    // the subscription is kept).
    const deviceKeys = await checkKeys(device);
    options.log?.({ msg: "push: cannot build the request", subscription: device.id, deviceKeys: deviceKeys.ok ? "ok" : deviceKeys.message, error: String(error) });
    return deviceKeys.ok ? { kind: "rejected", status: null, reason: `cannot sign or encrypt: ${String(error)}` } : { kind: "gone", status: 0 };
  }
  try {
    const response = await doFetch(device.endpoint, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      redirect: "manual",
    });
    await response.arrayBuffer().catch(() => undefined);
    return classifyPushStatus(response.status, parseRetryAfter(response.headers.get("Retry-After"), Date.now()));
  } catch (error) {
    options.log?.({ msg: "push: request failed", subscription: device.id, error: String(error) });
    return { kind: "retry", status: null };
  }
}

/** One claim-send-settle round; `limit` bounds the requests in flight (shared by a drain's lanes). */
export async function drainRound(
  db: Db,
  options: SenderOptions,
  report: DrainReport = emptyReport(),
  limit: LimitFunction = pLimit(options.maxInFlight ?? 32),
): Promise<{ claimed: number; report: DrainReport }> {
  const claimed = await claimDueAlerts(db, { limit: options.batchSize ?? 20, leaseSeconds: options.leaseSeconds ?? 60 });
  report.rounds++;
  report.claimed += claimed.length;
  if (claimed.length === 0) return { claimed: 0, report };
  const devices = await devicesOf(db, claimed.map((a) => a.playerId));
  const byPlayer = new Map<string, DeviceKeys[]>();
  for (const d of devices) byPlayer.set(d.playerId, [...(byPlayer.get(d.playerId) ?? []), d]);

  const gone = new Set<string>();
  const ok = new Set<string>();
  const random = options.random ?? Math.random;
  const settlements: Settlement[] = await Promise.all(
    claimed.map(async (alert) => {
      const mine = byPlayer.get(alert.playerId) ?? [];
      const results = await Promise.all(
        mine.map(async (device) => {
          const result = await limit(() => sendToDevice(alert, device, options));
          if (result.kind === "gone") gone.add(device.id);
          if (result.kind === "delivered") ok.add(device.id);
          if (result.kind === "rejected") options.log?.({ msg: "push: refused", alert: alert.id, subscription: device.id, status: result.status, reason: result.reason });
          return result;
        }),
      );
      report.delivered += results.filter((r) => r.kind === "delivered").length;
      report.rejected += results.filter((r) => r.kind === "rejected").length;
      const outcome = alertOutcome(results, alert.attempts, random());
      if (outcome.state === "dead") options.log?.({ msg: "push: alert not delivered", alert: alert.id, attempts: alert.attempts, reason: outcome.reason });
      return outcome.state === "due"
        ? { id: alert.id, attempts: alert.attempts, state: "due" as const, delaySeconds: outcome.delaySeconds }
        : { id: alert.id, attempts: alert.attempts, state: outcome.state };
    }),
  );
  await forgetSubscriptions(db, [...gone]);
  await touchSubscriptions(db, [...ok].filter((id) => !gone.has(id)));
  const settledCount = await settleAlerts(db, settlements);
  report.gone += gone.size;
  report.stale += settlements.length - settledCount;
  for (const s of settlements) {
    if (s.state === "sent") report.sent++;
    else if (s.state === "due") report.retried++;
    else report.dead++;
  }
  return { claimed: claimed.length, report };
}

/**
 * Throws unless the VAPID pair is usable (the private key matches the public key): checked before
 * claiming anything, so that a misconfigured server neither spends attempts nor touches subscriptions.
 */
export async function checkVapid(vapid: VapidConfig): Promise<void> {
  const point = fromBase64Url(vapid.publicKey);
  if (!point || point.byteLength !== 65 || point[0] !== 4) throw new Error("VAPID_PUBLIC_KEY is not a base64url 65-byte uncompressed P-256 point");
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const jwk = { kty: "EC", crv: "P-256", x: b64(point.subarray(1, 33)), y: b64(point.subarray(33)), d: vapid.privateKey };
  try {
    const key = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    const data = new TextEncoder().encode("vapid check");
    const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, data);
    const pub = await crypto.subtle.importKey("raw", point as Uint8Array<ArrayBuffer>, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    if (!(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, signature, data))) throw new Error("signature mismatch");
  } catch (error) {
    throw new Error(`VAPID_PRIVATE_KEY does not belong to VAPID_PUBLIC_KEY (${(error as Error).message})`);
  }
}

/**
 * Up to `lanes` loops of rounds at once. A drain starts with one; each full claim (more may be due)
 * starts another, up to `lanes`, so a nudge for a handful of alerts costs one claim. A loop stops
 * when its claim comes back short of a full batch or the time budget is spent. One report for all.
 */
export async function drainPush(db: Db, options: SenderOptions): Promise<DrainReport> {
  await checkVapid(options.vapid);
  const report = emptyReport();
  const started = Date.now();
  const batch = options.batchSize ?? 20;
  const maxLanes = Math.max(1, options.lanes ?? 4);
  const limit = pLimit(options.maxInFlight ?? 32);
  const running: Promise<void>[] = [];
  const lane = async (): Promise<void> => {
    report.lanes++;
    for (;;) {
      const { claimed } = await drainRound(db, options, report, limit);
      if (claimed < batch || Date.now() - started > (options.budgetMs ?? 20_000)) return;
      if (running.length < maxLanes) running.push(lane());
    }
  };
  running.push(lane());
  // Only a running lane adds lanes: once every lane in the list has ended and the list has not
  // grown meanwhile, the drain is done.
  for (let seen = 0; seen < running.length; ) {
    seen = running.length;
    await Promise.all(running);
  }
  return report;
}
