/**
 * The push message an alert becomes (ADR 014): a small JSON object the service worker turns into a
 * notification. Pure. It carries what the notification shows and where a click goes, never the
 * alert's machine data, never anything secret (push services store messages, and a device that
 * changed hands may still hold its subscription).
 *
 *   { id, kind, title, body, url, icon, tag, ts }   tag = id: the device shows one notification per alert
 *
 * The encrypted record is at most 4096 bytes (RFC 8291 §4: push services need only accept that
 * much); with the aes128gcm header (86 bytes) and the padding delimiter and GCM tag (17), the JSON
 * gets MAX_PUSH_PAYLOAD_BYTES. Long text is cut (body first, then title) with an ellipsis, on
 * code point boundaries.
 */
export const MAX_PUSH_PAYLOAD_BYTES = 4096 - 86 - 17;
export const MAX_TITLE_CHARS = 200;
export const MAX_BODY_CHARS = 1_000;
const MAX_PATH_CHARS = 512;
const ELLIPSIS = "…";

export interface AlertForPush {
  id: string;
  kind: string;
  title: string;
  body: string;
  url: string;
  icon: string | null;
  createdAt?: Date | string | null;
}

export interface PushPayload {
  id: string;
  kind: string;
  title: string;
  body: string;
  url: string;
  icon: string | null;
  tag: string;
  ts: number | null;
}

const encoder = new TextEncoder();
export const byteLength = (s: string) => encoder.encode(s).byteLength;

/** At most `max` code points, the last replaced by an ellipsis when cut. */
export function cutText(s: string, max: number): string {
  const points = Array.from(s);
  if (points.length <= max) return s;
  if (max <= 0) return "";
  return `${points.slice(0, max - 1).join("").trimEnd()}${ELLIPSIS}`;
}

const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/** A same-origin path ("/markets/iron-ore"), or undefined: never another origin, never a script URL. */
export function safePath(value: string | null | undefined): string | undefined {
  if (!value || value.length > MAX_PATH_CHARS || CONTROL.test(value)) return undefined;
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return undefined;
  try {
    const base = "https://bazaar.invalid";
    const url = new URL(value, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : undefined;
  } catch {
    return undefined;
  }
}

/** Control characters (a line break included) become spaces: a notification is one paragraph per field. */
const clean = (s: string) => s.replace(/[\p{Cc}\u2028\u2029]+/gu, " ").trim();

export function pushPayload(alert: AlertForPush): PushPayload {
  const created = alert.createdAt ? new Date(alert.createdAt).getTime() : NaN;
  const payload: PushPayload = {
    id: alert.id,
    kind: alert.kind,
    title: cutText(clean(alert.title), MAX_TITLE_CHARS) || "Bazaar",
    body: cutText(clean(alert.body), MAX_BODY_CHARS),
    url: safePath(alert.url) ?? "/",
    icon: safePath(alert.icon) ?? null,
    tag: alert.id,
    ts: Number.isFinite(created) ? created : null,
  };
  // Cut the body, then the title, until the JSON fits (each code point is at least one byte).
  for (let guard = 0; guard < 64; guard++) {
    const over = byteLength(JSON.stringify(payload)) - MAX_PUSH_PAYLOAD_BYTES;
    if (over <= 0) return payload;
    const field = Array.from(payload.body).length > 0 ? "body" : "title";
    const len = Array.from(payload[field]).length;
    payload[field] = cutText(payload[field], Math.max(0, len - over - ELLIPSIS.length));
  }
  throw new Error(`alert ${alert.id}: its push payload cannot be made to fit ${MAX_PUSH_PAYLOAD_BYTES} bytes`);
}

/** The JSON text sent (encrypted) to the push service. */
export const pushPayloadText = (alert: AlertForPush) => JSON.stringify(pushPayload(alert));
