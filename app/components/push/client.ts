/**
 * The browser's side of push alerts (ADR 014), loaded on demand (the prompt and the settings
 * section import it; the market page does not until the player's first order): permission, the
 * service worker's subscription, and the /push route that stores it for the signed-in player.
 */
export type Support = "supported" | "unsupported";

export const pushSupported = (): boolean =>
  typeof window !== "undefined" && "serviceWorker" in navigator && "PushManager" in window && typeof Notification !== "undefined";

export const permission = (): NotificationPermission | "unsupported" => (pushSupported() ? Notification.permission : "unsupported");

/** "Not now": the prompt stays away this long. */
const SNOOZE_MS = 14 * 86_400_000;
const SNOOZE_KEY = "bazaar.alerts.snoozedUntil";

export function snoozed(now = Date.now()): boolean {
  try {
    return Number(localStorage.getItem(SNOOZE_KEY) ?? 0) > now;
  } catch {
    return false;
  }
}

export function snooze(now = Date.now()): void {
  try {
    localStorage.setItem(SNOOZE_KEY, String(now + SNOOZE_MS));
  } catch {
    // private mode: the prompt may come back, nothing worse
  }
}

export interface Device {
  id: string;
  endpoint: string;
  userAgent: string | null;
  createdAt: string;
  lastSuccessAt: string | null;
}

async function readAnswer<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `The server answered ${res.status}.`);
  return body;
}

export const loadDevices = async () => readAnswer<{ publicKey: string | null; subscriptions: Device[] }>(await fetch("/push", { headers: { Accept: "application/json" }, credentials: "same-origin" }));

async function post(csrf: string, fields: Record<string, string>) {
  return readAnswer<{ subscription?: Device }>(
    await fetch("/push", { method: "POST", credentials: "same-origin", body: new URLSearchParams({ csrf, ...fields }) }),
  );
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64url.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export const currentSubscription = async (): Promise<PushSubscription | null> =>
  pushSupported() ? (await navigator.serviceWorker.ready).pushManager.getSubscription() : null;

/** Asks for permission (when not yet given), subscribes this browser and stores it for me. */
export async function turnOn(csrf: string): Promise<"on" | "denied" | "dismissed"> {
  const asked = Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
  if (asked === "denied") return "denied";
  if (asked !== "granted") return "dismissed";
  const { publicKey } = await loadDevices();
  if (!publicKey) throw new Error("Push alerts are not set up on this server.");
  const registration = await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  await post(csrf, { intent: "subscribe", subscription: JSON.stringify(subscription.toJSON()) });
  return "on";
}

/** Turns alerts off: this browser's subscription (by endpoint), or another device by id. */
export async function turnOff(csrf: string, device?: { id: string }): Promise<void> {
  if (device) {
    await post(csrf, { intent: "unsubscribe", id: device.id });
    return;
  }
  const subscription = await currentSubscription();
  if (!subscription) return;
  await post(csrf, { intent: "unsubscribe", endpoint: subscription.endpoint }).catch((error: Error) => {
    if (!/no device/i.test(error.message)) throw error;
  });
  await subscription.unsubscribe();
}

/** How to allow notifications again once the browser has blocked them. */
export const REENABLE =
  "To turn them on, open this site's settings in your browser (the icon at the left of the address bar, or Settings › Site settings › Notifications), allow notifications for Bazaar, then come back to Settings › Push alerts on your devices.";
