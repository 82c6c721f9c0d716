/**
 * The depth chart: cumulative quantity by price, bids (green) stepping up to the left of the mid,
 * asks (red) to the right, from the same live book as the ladder. A small SVG of its own: no
 * library to download, drawn on the server too, redrawn by React as levels change. The shapes
 * stretch with the panel (a 1000 x 1000 box, strokes kept 2 px); labels are HTML over it.
 */
import { useMemo, useRef, useState, type PointerEvent } from "react";
import { formatCount, formatGold } from "~/utils/money";
import { BOX, depthAt, depthOf, formatMid, scales, stepPaths } from "./depth";
import type { FeedState } from "./useMarketFeed";

/** Levels per side drawn (the ladder shows 8). */
const LEVELS = 40;

const pct = (v: number) => `${(v * 100) / BOX}%`;

export function DepthChart({ book }: { book: Pick<FeedState, "bids" | "asks"> }) {
  const depth = useMemo(() => {
    // As sortedLevels does (not imported: this chunk loads on its own, see markets.$slug.tsx).
    const bids = [...book.bids].sort((a, b) => b[0] - a[0]).slice(0, LEVELS);
    const asks = [...book.asks].sort((a, b) => a[0] - b[0]).slice(0, LEVELS);
    return depthOf(bids, asks);
  }, [book.bids, book.asks]);
  const [hover, setHover] = useState<number | null>(null);
  const plot = useRef<HTMLDivElement>(null);

  const { x, y } = scales(depth);
  const bid = stepPaths(depth.bids, "bid", depth);
  const ask = stepPaths(depth.asks, "ask", depth);
  const bidTotal = depth.bids.at(-1)?.total ?? 0;
  const askTotal = depth.asks.at(-1)?.total ?? 0;
  const empty = depth.mid2 === null;
  const label = empty
    ? "Depth chart: no orders in the book"
    : `Depth chart: ${formatCount(bidTotal)} items bid down to ${formatGold(depth.bids.at(-1)?.price ?? 0)} gold, ` +
      `${formatCount(askTotal)} items asked up to ${formatGold(depth.asks.at(-1)?.price ?? 0)} gold, mid ${formatMid(depth.mid2!)}`;

  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    const r = plot.current?.getBoundingClientRect();
    if (!r || empty || r.width === 0) return;
    const f = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    setHover(Math.round(depth.lo + f * (depth.hi - depth.lo)));
  };
  const at = hover === null || hover < 1 ? null : depthAt(depth, hover);

  return (
    <div className="depth" role="img" aria-label={label}>
      <div className="depth-plot" ref={plot} onPointerMove={onMove} onPointerLeave={() => setHover(null)}>
        <svg
          viewBox={`0 0 ${BOX} ${BOX}`}
          preserveAspectRatio="none"
          aria-hidden="true"
          data-lo={depth.lo}
          data-hi={depth.hi}
          data-top={depth.top}
          data-mid2={depth.mid2 ?? ""}
        >
          <line className="depth-grid" x1="0" x2={BOX} y1={y(depth.top / 1.12)} y2={y(depth.top / 1.12)} />
          <line className="depth-grid" x1="0" x2={BOX} y1={y(depth.top / 2.24)} y2={y(depth.top / 2.24)} />
          {bid.area ? <path className="depth-area bid" d={bid.area} /> : null}
          {ask.area ? <path className="depth-area ask" d={ask.area} /> : null}
          {bid.line ? <path className="depth-line bid" d={bid.line} /> : null}
          {ask.line ? <path className="depth-line ask" d={ask.line} /> : null}
          {empty ? null : <line className="depth-mid" x1={BOX / 2} x2={BOX / 2} y1="0" y2={BOX} />}
          {hover !== null && !empty ? <line className="depth-cursor" x1={x(hover)} x2={x(hover)} y1="0" y2={BOX} /> : null}
        </svg>
        {empty ? null : (
          <>
            <span className="depth-tag mid" aria-hidden="true">
              Mid <b className="num">{formatMid(depth.mid2!)}</b>
            </span>
            <span className="depth-tag qty num" aria-hidden="true" style={{ top: pct(y(depth.top / 1.12)) }}>
              {formatCount(Math.max(bidTotal, askTotal))}
            </span>
          </>
        )}
        {at ? (
          <span className={`depth-readout ${at.side}`} aria-hidden="true" style={{ left: pct(Math.min(Math.max(x(hover!), 160), BOX - 160)) }}>
            <b className="num">{formatGold(hover!)}</b> {formatCount(at.total)} {at.side === "bid" ? "to buy" : "to sell"}
          </span>
        ) : null}
        {empty ? <p className="chart-note muted">No orders in the book yet.</p> : null}
      </div>
      {empty ? null : (
        <div className="depth-axis num" aria-hidden="true">
          <span className="bid">{depth.bids.length ? formatGold(depth.bids.at(-1)!.price) : "No bids"}</span>
          <span>
            {depth.bids[0] ? formatGold(depth.bids[0].price) : "–"} · {depth.asks[0] ? formatGold(depth.asks[0].price) : "–"}
          </span>
          <span className="ask">{depth.asks.length ? formatGold(depth.asks.at(-1)!.price) : "No asks"}</span>
        </div>
      )}
    </div>
  );
}
