/**
 * The service worker, registered with workbox-window (loaded after the page is up, so it never
 * delays the first paint), and the "new version available" prompt. Once the worker controls the
 * page, it is asked to keep the pages that must work offline (inventory, catalog, markets) warm.
 */
import { useEffect, useState } from "react";

type Wb = import("workbox-window").Workbox;

const WARM = ["/inventory", "/items", "/markets"];

export function ServiceWorker({ signedIn }: { signedIn: boolean }) {
  const [waiting, setWaiting] = useState<Wb | null>(null);

  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    let cancelled = false;
    const start = async () => {
      const { Workbox } = await import("workbox-window");
      if (cancelled) return;
      const wb = new Workbox("/sw.js", { scope: "/" });
      wb.addEventListener("waiting", () => setWaiting(wb));
      wb.addEventListener("controlling", (event) => {
        if (event.isUpdate) window.location.reload();
      });
      await wb.register().catch(() => undefined);
      const reg = await navigator.serviceWorker.ready;
      reg.active?.postMessage({ type: "WARM", urls: signedIn ? WARM : WARM.filter((u) => u !== "/inventory") });
      if (!signedIn) reg.active?.postMessage({ type: "FORGET_PRIVATE" });
    };
    const idle = (cb: () => void) => ("requestIdleCallback" in window ? window.requestIdleCallback(cb, { timeout: 3_000 }) : setTimeout(cb, 1_000));
    if (document.readyState === "complete") idle(() => void start());
    else window.addEventListener("load", () => idle(() => void start()), { once: true });
    return () => {
      cancelled = true;
    };
  }, [signedIn]);

  if (!waiting) return null;
  return (
    <div className="update-prompt" role="status">
      <span>A new version of Bazaar is available.</span>
      <button type="button" onClick={() => waiting.messageSkipWaiting()}>
        Reload
      </button>
      <button type="button" className="ghost" onClick={() => setWaiting(null)}>
        Later
      </button>
    </div>
  );
}
