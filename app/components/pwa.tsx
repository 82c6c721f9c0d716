/**
 * The service worker, registered with workbox-window (loaded after the page is up, so it never
 * delays the first paint), and the "new version available" prompt. Once the worker controls the
 * page, it is asked to keep the pages that must work offline (inventory, catalog, markets) warm.
 */
import { useEffect, useState, type ReactNode } from "react";
import { afterLoadIdle } from "~/utils/idle";

type Wb = import("workbox-window").Workbox;

const WARM = ["/inventory", "/items", "/markets"];

/**
 * The "Turn on alerts" card (ADR 014), fetched only when a moment comes (app/components/push/moment.ts):
 * the market page's first load carries just this listener.
 */
function useAlertsPrompt(signedIn: boolean) {
  const [prompt, setPrompt] = useState<ReactNode>(null);
  useEffect(() => {
    if (!signedIn) return;
    const on = (e: Event) => void import("./push/AlertsPrompt").then((m) => setPrompt(m.promptFor((e as CustomEvent<string>).detail, () => setPrompt(null))), () => undefined);
    addEventListener("bazaar:alerts-moment", on);
    return () => removeEventListener("bazaar:alerts-moment", on);
  }, [signedIn]);
  return prompt;
}

export function ServiceWorker({ signedIn }: { signedIn: boolean }) {
  const [waiting, setWaiting] = useState<Wb | null>(null);
  const alertsPrompt = useAlertsPrompt(signedIn);

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
    const cancel = afterLoadIdle(() => void start(), 3_000);
    return () => {
      cancelled = true;
      cancel();
    };
  }, [signedIn]);

  if (!waiting) return alertsPrompt;
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
