/**
 * Bazaar's service worker (built by the `bazaar-sw` plugin in vite.config.ts into build/client/sw.js,
 * with the list of built assets injected as self.__WB_MANIFEST).
 *
 *  - Precache: the app's JS, CSS, icons and manifest, not the operator console's chunks (a new build
 *    = a new worker = the "new version available" prompt; it takes over only when the player says so).
 *  - Pages and their data (Remix single-fetch `.data`): network first, the last good copy when
 *    offline. The pages carry the time they were rendered, which the "offline, as of" banner shows.
 *  - Never cached: anything but GET, sign-in/up/out, the JSON API, connection tokens, the trades CSV.
 *  - Nothing is queued: a POST while offline fails and the page says so.
 *  - Push alerts (ADR 014): a push shows the alert as a notification tagged with its id (a copy
 *    delivered twice replaces the first, and an alert already shown once is not shown again); a
 *    click focuses a Bazaar window on the alert's page, or opens one. Works with no page open.
 */
/// <reference lib="webworker" />
import { clientsClaim } from "workbox-core";
import { ExpirationPlugin } from "workbox-expiration";
import { cleanupOutdatedCaches, precacheAndRoute } from "workbox-precaching";
import { registerRoute, setCatchHandler } from "workbox-routing";
import { NetworkFirst } from "workbox-strategies";
import { clickTarget, notificationFor, parsePushMessage } from "./notification";

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

const PAGES = "bazaar-pages";
const DATA = "bazaar-data";
const NO_CACHE = /^\/(signin|signup|signout|api\/|markets\/[^/]+\/token|trades\.csv)/;
/** Pages whose content belongs to the signed-in player. */
const PRIVATE = /^\/($|inventory|orders|trades|settings|items\/|markets\/)/;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
clientsClaim();

/** Only complete, same-origin 200 answers are kept: never a redirect to the sign-in page. */
const onlyOk = { cacheWillUpdate: async ({ response }: { response: Response }) => (response.status === 200 && response.type === "basic" ? response : null) };

registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.origin === self.location.origin && !NO_CACHE.test(url.pathname),
  new NetworkFirst({ cacheName: PAGES, networkTimeoutSeconds: 6, plugins: [onlyOk, new ExpirationPlugin({ maxEntries: 80, maxAgeSeconds: 14 * 86_400 })] }),
);

/** A market chart's candles (fetched by the chart, not in the page's HTML): kept, so a saved market page draws its chart offline. */
const CANDLES = /^\/markets\/[^/]+\/candles$/;

/**
 * Remix's lazy route discovery asks /__manifest for the routes behind the links on a page. Offline
 * and not in the cache: answer "no new routes" (offline, links load whole documents from the cache).
 */
const noPatches = {
  handlerDidError: async ({ request }: { request: Request }) =>
    new URL(request.url).pathname === "/__manifest" ? new Response("{}", { headers: { "Content-Type": "application/json" } }) : undefined,
};

registerRoute(
  ({ request, url }) => request.method === "GET" && url.origin === self.location.origin && (url.pathname.endsWith(".data") || url.pathname === "/__manifest" || CANDLES.test(url.pathname)),
  new NetworkFirst({ cacheName: DATA, networkTimeoutSeconds: 6, plugins: [onlyOk, noPatches, new ExpirationPlugin({ maxEntries: 120, maxAgeSeconds: 14 * 86_400 })] }),
);

const OFFLINE_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Offline · Bazaar</title><style>body{font-family:system-ui,sans-serif;background:#0e1116;color:#e8edf4;margin:0;padding:2rem 1.25rem;line-height:1.5}
a{color:#f0b44c}main{max-width:30rem;margin:0 auto}</style><main><h1>You're offline</h1>
<p>This page has not been saved on this device yet. Pages you have opened before, your inventory, the item catalog and the markets, stay readable offline.</p>
<p><a href="/inventory">Inventory</a> · <a href="/items">Item catalog</a> · <a href="/markets">Markets</a></p></main></html>`;

setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") return new Response(OFFLINE_PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } });
  return Response.error();
});

self.addEventListener("message", (event: ExtendableMessageEvent) => {
  const msg = event.data as { type?: string; urls?: string[] } | undefined;
  if (msg?.type === "SKIP_WAITING") void self.skipWaiting();
  // Keep the pages that must work offline fresh in the cache, without the player opening them.
  if (msg?.type === "WARM" && Array.isArray(msg.urls)) {
    event.waitUntil(
      (async () => {
        const cache = await caches.open(PAGES);
        for (const path of msg.urls!.slice(0, 10)) {
          const url = new URL(path, self.location.origin);
          if (url.origin !== self.location.origin) continue;
          try {
            const response = await fetch(url, { credentials: "same-origin", redirect: "manual", headers: { Accept: "text/html" } });
            if (response.status === 200 && response.type === "basic") await cache.put(url.href, response);
          } catch {
            // offline: keep what we have
          }
        }
      })(),
    );
  }
  // Signed out: forget the pages that showed the previous player's things.
  if (msg?.type === "FORGET_PRIVATE") {
    event.waitUntil(
      (async () => {
        const pages = await caches.open(PAGES);
        for (const request of await pages.keys()) if (PRIVATE.test(new URL(request.url).pathname)) await pages.delete(request);
        await caches.delete(DATA);
      })(),
    );
  }
});

// ---------------------------------------------------------------------------------------------
// Push alerts

const SEEN = "bazaar-push-seen";
const SEEN_KEEP = 300;
const seenKey = (id: string) => new URL(`/__push-seen/${encodeURIComponent(id)}`, self.location.origin).href;

/** True the first time an alert id comes by (kept in a small cache, the newest SEEN_KEEP ids). */
async function firstTime(id: string): Promise<boolean> {
  const cache = await caches.open(SEEN);
  if (await cache.match(seenKey(id))) return false;
  await cache.put(seenKey(id), new Response(String(Date.now())));
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - SEEN_KEEP))) await cache.delete(old);
  return true;
}

self.addEventListener("push", (event: PushEvent) => {
  let raw: unknown = null;
  try {
    raw = event.data?.json();
  } catch {
    raw = null;
  }
  // Every push must show something (userVisibleOnly): one we cannot read says where to look.
  const msg = parsePushMessage(raw) ?? parsePushMessage({ id: `unreadable-${Date.now()}`, title: "Bazaar", body: "You have a new alert.", url: "/" })!;
  event.waitUntil(
    (async () => {
      const { title, options } = notificationFor(msg);
      // At least once on the server's side means a copy may come twice: one shown at a time per
      // tag, and one that was shown and dismissed is not shown again.
      const showing = (await self.registration.getNotifications({ tag: msg.tag })).length > 0;
      if (!(await firstTime(msg.id)) && !showing) return;
      await self.registration.showNotification(title, options);
    })(),
  );
});

self.addEventListener("notificationclick", (event: NotificationEvent) => {
  event.notification.close();
  const target = clickTarget(event.notification.data, event.action, self.location.origin);
  const opened = (async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const same = windows.find((w) => w.url === target);
    if (same) return void (await same.focus().catch(() => undefined));
    const ours = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (ours) {
      const moved = await ours.navigate(target).catch(() => null);
      if (moved) return void (await moved.focus().catch(() => undefined));
    }
    await self.clients.openWindow(target);
  })();
  try {
    event.waitUntil(opened);
  } catch {
    // An event dispatched by script (the e2e test's click) cannot be extended; the work goes on.
  }
});
