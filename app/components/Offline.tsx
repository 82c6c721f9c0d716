/**
 * Online/offline as React state, and the "offline, as of ..." banner for pages served from the
 * service worker's cache. navigator.onLine alone is not enough (it says "online" on a network that
 * reaches nothing), so the page also probes its own origin with a request the worker never answers
 * from its cache (HEAD /favicon.svg?online=..., matched by none of its routes).
 *
 * When it probes:
 *  - at once on `online`, on the page becoming visible or focused again, and at start;
 *  - while the browser says it is online but the probe fails (a server or network that answers
 *    nothing): again after 1 s, twenty times, then every 5 s, so the banner goes about a second
 *    after the server answers again (it used to wait for a 15 s timer);
 *  - while the browser says it is offline: every 15 s as a safety net (the `online` event says when).
 * A probe gives up after 3 s (a dead network can leave a request hanging for a minute), and only the
 * newest probe's answer counts: an older one that fails late never brings the banner back.
 */
import { useSyncExternalStore } from "react";
import { Time } from "~/utils/time";

const PROBE_TIMEOUT_MS = 3_000;
const FAST_RETRY_MS = 1_000;
const FAST_RETRIES = 20;
const SLOW_RETRY_MS = 5_000;
const OFFLINE_RETRY_MS = 15_000;

let offline = false;
let started = false;
let retry: ReturnType<typeof setTimeout> | undefined;
/** Which probe is the newest: an older one's answer is ignored. */
let generation = 0;
/** Failed probes in a row while the browser said it was online. */
let failures = 0;
const listeners = new Set<() => void>();

function set(value: boolean) {
  if (value === offline) return;
  offline = value;
  listeners.forEach((l) => l());
}

/** True when the origin answered the probe: 2xx, or 405 from a server that refuses HEAD. */
async function reachable(): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), PROBE_TIMEOUT_MS);
  try {
    const r = await fetch(`/favicon.svg?online=${Date.now()}`, { method: "HEAD", cache: "no-store", signal: abort.signal });
    return r.ok || r.status === 405;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function probe() {
  clearTimeout(retry);
  const mine = ++generation;
  const ok = navigator.onLine && (await reachable());
  if (mine !== generation) return;
  set(!ok);
  if (ok) {
    failures = 0;
    return;
  }
  if (!navigator.onLine) retry = setTimeout(() => void probe(), OFFLINE_RETRY_MS);
  else retry = setTimeout(() => void probe(), ++failures <= FAST_RETRIES ? FAST_RETRY_MS : SLOW_RETRY_MS);
}

/** Look again now, if the banner is up (the page came back to the front, or the network did). */
function recheck() {
  if (offline) {
    failures = 0;
    void probe();
  }
}

function subscribe(cb: () => void) {
  listeners.add(cb);
  if (!started) {
    started = true;
    offline = !navigator.onLine;
    window.addEventListener("online", () => {
      failures = 0;
      void probe();
    });
    window.addEventListener("offline", () => {
      generation++; // a probe in flight has nothing more to say
      set(true);
      clearTimeout(retry);
      retry = setTimeout(() => void probe(), OFFLINE_RETRY_MS);
    });
    window.addEventListener("focus", recheck);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") recheck();
    });
    void probe();
  }
  return () => listeners.delete(cb);
}

/** True in the browser when it has no network; always false on the server and during hydration. */
export function useOffline(): boolean {
  return useSyncExternalStore(subscribe, () => offline, () => false);
}

export function OfflineBanner({ asOf }: { asOf: number }) {
  const isOffline = useOffline();
  if (!isOffline) return null;
  return (
    <div className="offline-banner" role="status">
      <strong>Offline</strong>, as of <Time ms={asOf} date /> · prices and holdings may have changed. Trading needs a connection.
    </div>
  );
}
