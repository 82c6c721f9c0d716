/**
 * Runs `work` once the page has loaded and the browser is idle (at most `timeout` ms after load):
 * what can wait (the chart, the service worker, live prices on home) never competes with the first
 * paint and hydration. Returns a cancel function.
 */
export function afterLoadIdle(work: () => void, timeout = 1_000): () => void {
  let cancelled = false;
  const run = () => void (cancelled || work());
  const idle = () => ("requestIdleCallback" in window ? window.requestIdleCallback(run, { timeout }) : setTimeout(run, 50));
  if (document.readyState === "complete") idle();
  else window.addEventListener("load", idle, { once: true });
  return () => {
    cancelled = true;
    window.removeEventListener("load", idle);
  };
}
