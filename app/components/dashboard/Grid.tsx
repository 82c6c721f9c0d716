/**
 * The dashboard's grid (react-grid-layout): drag a panel by its title, resize it by its corner.
 * Loaded lazily by the dashboard route, on wide screens only, so that neither the phone nor any
 * other page loads the library. Each drag or resize that ends hands the new layout to `onSave`.
 */
import { useState, type RefObject } from "react";
import { GridLayout, useContainerWidth, type Layout } from "react-grid-layout";
import { COLS, MAX_ROWS, type PanelPlace } from "~/utils/dashboard/layout";
import { PanelFrame, type PanelData } from "./Panels";

// react-draggable adds a <style> element while a panel is dragged (no text selection meanwhile); the
// Content-Security-Policy lets it in with this page's nonce, which react-draggable takes from the
// __webpack_nonce__ global when react-grid-layout passes none. Browsers keep a nonce readable
// only as the element's property, so it is read from the page's own scripts.
if (typeof document !== "undefined") {
  const nonce = document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce;
  if (nonce) (globalThis as { __webpack_nonce__?: string }).__webpack_nonce__ = nonce;
}

const toPlaces = (layout: Layout): PanelPlace[] => layout.map((p) => ({ i: p.i as PanelPlace["i"], x: p.x, y: p.y, w: p.w, h: p.h }));

export default function Grid({ layout, data, onSave, csrf }: { layout: PanelPlace[]; data: PanelData; onSave: (layout: PanelPlace[]) => void; csrf: string }) {
  // Measured before the first render: drawn at the default 1280 px first, the panels would slide
  // into place on every visit (a 200 ms transition, and a drag begun meanwhile would miss).
  const { width, containerRef, mounted } = useContainerWidth({ measureBeforeMount: true });
  const [current, setCurrent] = useState<PanelPlace[]>(layout);
  const done = (next: Layout) => {
    const places = toPlaces(next);
    setCurrent(places);
    onSave(places);
  };
  return (
    <div ref={containerRef as RefObject<HTMLDivElement>} className="dashboard-grid" data-testid="dashboard-grid">
      {mounted ? (
        <GridLayout
          width={width}
          layout={current.map((p) => ({ ...p, minW: 2, minH: 2, maxH: 12 }))}
          gridConfig={{ cols: COLS, rowHeight: 56, margin: [12, 12], containerPadding: [0, 0], maxRows: MAX_ROWS }}
          dragConfig={{ handle: ".panel-handle", cancel: ".panel-remove", bounded: true }}
          resizeConfig={{ handles: ["se"] }}
          onDragStop={(next) => done(next)}
          onResizeStop={(next) => done(next)}
        >
          {current.map((p) => (
            <div key={p.i} data-x={p.x} data-y={p.y} data-w={p.w} data-h={p.h} className="grid-cell">
              <PanelFrame id={p.i} data={data} handle csrf={csrf} />
            </div>
          ))}
        </GridLayout>
      ) : null}
    </div>
  );
}
