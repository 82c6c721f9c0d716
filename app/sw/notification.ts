/**
 * What the service worker shows for a push message, and where a click goes (ADR 014). Pure, so it
 * is unit-tested (app/sw/notification.test.ts); app/sw/sw.ts only wires it to the events.
 * The message is edge/push/payload.ts's { id, kind, title, body, url, icon, tag, ts }; anything
 * else is ignored. Links stay on this site whatever the message says.
 */
import type { PushPayload } from "../../edge/push/payload";
/** What the sender puts in a push message (edge/push/payload.ts): one shape on both ends. */
export type PushMessageData = PushPayload;

export interface NotificationData {
  id: string;
  kind: string;
  url: string;
}

const ICON = "/icons/icon-192.png";
const BADGE = "/icons/icon-192.png";

const str = (v: unknown, max: number) => (typeof v === "string" ? v.slice(0, max) : "");

/** A same-origin path, or "/". */
export function sitePath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\") || /[\u0000-\u001f]/.test(value)) return "/";
  return value.slice(0, 512);
}

export function parsePushMessage(data: unknown): PushMessageData | null {
  if (!data || typeof data !== "object") return null;
  const d = data as Record<string, unknown>;
  const id = str(d.id, 64);
  if (!id) return null;
  return {
    id,
    kind: str(d.kind, 32),
    title: str(d.title, 200) || "Bazaar",
    body: str(d.body, 1000),
    url: sitePath(d.url),
    icon: typeof d.icon === "string" && d.icon ? sitePath(d.icon) : null,
    tag: str(d.tag, 64) || id,
    ts: typeof d.ts === "number" && Number.isFinite(d.ts) ? d.ts : null,
  };
}

export type Action = { action: string; title: string };

const MARKET_KINDS = new Set(["fill", "order_ended", "price"]);

/** The buttons beside the notification: the alert's own page first, then the list it belongs to. */
export function actionsFor(kind: string): Action[] {
  if (MARKET_KINDS.has(kind)) return [{ action: "open", title: "Open market" }, { action: "orders", title: "My orders" }];
  if (kind.startsWith("offer_")) return [{ action: "open", title: "View offer" }, { action: "offers", title: "All offers" }];
  return [{ action: "open", title: "Open" }];
}

export function notificationFor(msg: PushMessageData): { title: string; options: NotificationOptions & { actions: Action[]; timestamp?: number; renotify?: boolean } } {
  const data: NotificationData = { id: msg.id, kind: msg.kind, url: msg.url };
  return {
    title: msg.title,
    options: {
      body: msg.body,
      icon: msg.icon ?? ICON,
      badge: BADGE,
      // One notification per alert: a copy delivered twice replaces the first, silently.
      tag: msg.tag,
      renotify: false,
      data,
      actions: actionsFor(msg.kind),
      ...(msg.ts !== null ? { timestamp: msg.ts } : {}),
    },
  };
}

/** Where a click (on the body, or on one of the actions) goes: an absolute URL on this origin. */
export function clickTarget(data: unknown, action: string, origin: string): string {
  const d = (data ?? {}) as Partial<NotificationData>;
  const path = action === "orders" ? "/orders" : action === "offers" ? "/offers" : sitePath(d.url);
  return new URL(path, origin).href;
}
