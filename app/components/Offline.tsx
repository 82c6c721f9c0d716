/**
 * Online/offline as React state, and the "offline, as of ..." banner for pages served from the
 * service worker's cache. navigator.onLine alone is not enough (it says "online" on a network that
 * reaches nothing), so the page also probes its own origin with a request the worker never answers
 * from its cache; while offline it probes again every 15 s and on every online/offline event.
 */
import { useSyncExternalStore } from "react";
import { Time } from "~/utils/time";

let offline = false;
let started = false;
let retry: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();

function set(value: boolean) {
  if (value === offline) return;
  offline = value;
  listeners.forEach((l) => l());
}

async function probe() {
  clearTimeout(retry);
  if (!navigator.onLine) set(true);
  else {
    try {
      const r = await fetch(`/favicon.svg?online=${Date.now()}`, { method: "HEAD", cache: "no-store" });
      set(!r.ok && r.status !== 405);
    } catch {
      set(true);
    }
  }
  if (offline) retry = setTimeout(() => void probe(), 15_000);
}

function subscribe(cb: () => void) {
  listeners.add(cb);
  if (!started) {
    started = true;
    offline = !navigator.onLine;
    window.addEventListener("online", () => void probe());
    window.addEventListener("offline", () => set(true));
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
