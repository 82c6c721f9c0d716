/** How far below (or above) the screen the chart starts loading, so it is drawn by the time it shows. */
const NEAR_MARGIN = "600px 0px";

/**
 * Calls `then` once `el` is near the screen and the player can see it or has scrolled: at once
 * without IntersectionObserver. A phone's chart sits below the ticket and the book, so a player who
 * trades without scrolling never downloads or starts it, while one who scrolls toward it has it drawn
 * by the time it shows (it starts 600 px early). Returns a cancel.
 */
export function whenNear(el: Element | null, then: () => void): () => void {
  if (!el || typeof IntersectionObserver === "undefined") {
    then();
    return () => {};
  }
  let near = false;
  let scrolled = window.scrollY > 0;
  const go = () => {
    if (!near || !scrolled) return;
    stop();
    then();
  };
  const onScroll = () => {
    scrolled = true;
    go();
  };
  const observer = new IntersectionObserver(
    (entries) => {
      const e = entries[entries.length - 1]!;
      near = e.isIntersecting;
      if (near && e.boundingClientRect.top < window.innerHeight && e.boundingClientRect.bottom > 0) scrolled = true;
      go();
    },
    { rootMargin: NEAR_MARGIN },
  );
  const stop = () => {
    observer.disconnect();
    window.removeEventListener("scroll", onScroll);
  };
  window.addEventListener("scroll", onScroll, { passive: true });
  observer.observe(el);
  return stop;
}
