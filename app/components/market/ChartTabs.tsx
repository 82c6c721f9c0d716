/**
 * "Price | Depth": the chart panel's two views as tabs (WAI-ARIA tabs: arrow keys move between
 * them). The price chart stays mounted while hidden, so it keeps its live candle and does not
 * download or redraw again; the depth chart is drawn only while it is shown.
 */
import { useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";

const VIEWS = [
  ["price", "Price"],
  ["depth", "Depth"],
] as const;
type View = (typeof VIEWS)[number][0];

export function ChartTabs({ price, depth }: { price: ReactNode; depth: () => ReactNode }) {
  const [view, setView] = useState<View>("price");
  const id = useId();
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const onKey = (e: KeyboardEvent) => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = (VIEWS.findIndex(([v]) => v === view) + step + VIEWS.length) % VIEWS.length;
    setView(VIEWS[next]![0]);
    tabs.current[next]?.focus();
  };
  return (
    <div className="chart-views" data-view={view}>
      <div className="segmented small chart-tabs" role="tablist" aria-label="Chart view" onKeyDown={onKey}>
        {VIEWS.map(([v, name], i) => (
          <button
            key={v}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${id}-${v}-tab`}
            aria-selected={view === v}
            aria-controls={`${id}-${v}`}
            tabIndex={view === v ? 0 : -1}
            className={`seg ${view === v ? "on" : ""}`}
            onClick={() => setView(v)}
          >
            {name}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-price`} aria-labelledby={`${id}-price-tab`} hidden={view !== "price"}>
        {price}
      </div>
      <div role="tabpanel" id={`${id}-depth`} aria-labelledby={`${id}-depth-tab`} hidden={view !== "depth"}>
        {view === "depth" ? depth() : null}
      </div>
    </div>
  );
}
