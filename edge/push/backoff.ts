/**
 * When a push that failed for a passing reason (429, 5xx, a timeout) is tried again, and when the
 * sender gives up (ADR 014). Pure: the caller passes the random number for the jitter.
 *
 * Attempt n failed -> wait BASE * 2^(n-1) seconds (30 s, 1 min, 2 min, ... capped at 1 h), with
 * "equal jitter" (half fixed, half random) so that many alerts failing together (a push service
 * outage) do not come back together; never sooner than the push service's Retry-After (capped at
 * 6 h). After PUSH_MAX_ATTEMPTS attempts the alert is given up ('dead'): about 1 h 04 min of
 * retries in all, well inside the message's TTL at the push service.
 */
export const PUSH_MAX_ATTEMPTS = 8;
export const BACKOFF_BASE_SECONDS = 30;
export const BACKOFF_CAP_SECONDS = 3_600;
export const RETRY_AFTER_CAP_SECONDS = 6 * 3_600;

/** Seconds to wait after `attempts` failed attempts (attempts >= 1), honouring a Retry-After. */
export function retryDelaySeconds(attempts: number, retryAfterSeconds?: number, random = Math.random()): number {
  const n = Math.max(1, Math.floor(attempts));
  const full = Math.min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.min(n - 1, 30));
  const r = Math.min(Math.max(random, 0), 1);
  const jittered = Math.ceil(full / 2 + (full / 2) * r);
  const floor = retryAfterSeconds === undefined ? 0 : Math.min(Math.max(0, Math.ceil(retryAfterSeconds)), RETRY_AFTER_CAP_SECONDS);
  return Math.max(jittered, floor);
}

/**
 * A Retry-After header (RFC 9110: delay-seconds or an HTTP-date) as seconds from `nowMs`, or
 * undefined when absent or unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d{1,10}$/.test(value)) return Number(value);
  if (!/[A-Za-z]/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
