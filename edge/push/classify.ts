/**
 * What a push service's answer means for one subscription, and what the answers for all of a
 * player's devices mean for the alert (ADR 014). Pure.
 *
 *   2xx            delivered (the push service took it; 201 Created is the usual answer)
 *   404, 410       gone: the subscription expired or was revoked; delete it (RFC 8030 §7.3)
 *   429, 5xx, 408  retry later (honour Retry-After); a network error or timeout counts the same
 *   413            rejected: the payload is too large (our bug: the payload builder keeps it under 4 KB)
 *   other 4xx      rejected: e.g. 400 malformed, 401/403 VAPID refused (a key mismatch or a bad
 *                  subject: an operator's problem, logged; the subscription is kept)
 */
import { PUSH_MAX_ATTEMPTS, retryDelaySeconds } from "./backoff";

export type PushResult =
  | { kind: "delivered"; status: number }
  | { kind: "gone"; status: number }
  | { kind: "retry"; status: number | null; retryAfterSeconds?: number }
  | { kind: "rejected"; status: number | null; reason: string };

export function classifyPushStatus(status: number, retryAfterSeconds?: number): PushResult {
  if (status >= 200 && status < 300) return { kind: "delivered", status };
  if (status === 404 || status === 410) return { kind: "gone", status };
  if (status === 429 || status === 408 || status >= 500) return { kind: "retry", status, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  if (status === 413) return { kind: "rejected", status, reason: "the push service found the payload too large" };
  if (status === 401 || status === 403) return { kind: "rejected", status, reason: "the push service refused our VAPID credentials (a key pair changed since this device subscribed?)" };
  return { kind: "rejected", status, reason: `the push service answered ${status}` };
}

export type AlertOutcome =
  | { state: "sent" }
  | { state: "due"; delaySeconds: number }
  | { state: "dead"; reason: string };

/**
 * The alert's next state after an attempt (`attempts` counts this one). A passing failure on any
 * device retries the whole alert while attempts remain (the devices that already have it
 * deduplicate by the alert id); otherwise delivered to one device or more is 'sent', and nothing
 * delivered is 'dead' (no subscriptions, all gone or all refused).
 */
export function alertOutcome(results: PushResult[], attempts: number, random = Math.random()): AlertOutcome {
  const retries = results.filter((r): r is Extract<PushResult, { kind: "retry" }> => r.kind === "retry");
  const delivered = results.some((r) => r.kind === "delivered");
  if (retries.length > 0 && attempts < PUSH_MAX_ATTEMPTS) {
    const retryAfter = retries.reduce<number | undefined>((max, r) => (r.retryAfterSeconds === undefined ? max : Math.max(max ?? 0, r.retryAfterSeconds)), undefined);
    return { state: "due", delaySeconds: retryDelaySeconds(attempts, retryAfter, random) };
  }
  if (delivered) return { state: "sent" };
  if (results.length === 0) return { state: "dead", reason: "no device is subscribed" };
  if (retries.length > 0) return { state: "dead", reason: `gave up after ${attempts} attempts` };
  if (results.every((r) => r.kind === "gone")) return { state: "dead", reason: "every subscription is gone" };
  return { state: "dead", reason: "every push service refused it" };
}
