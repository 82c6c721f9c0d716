/**
 * The chart's candle intervals, as links that keep the page's other query parameters. Memoized:
 * a Remix Link resolves its path through the router on every render, and the market page renders
 * on every feed update while these links change only with the URL.
 */
import { Link } from "@remix-run/react";
import { memo } from "react";
import { INTERVALS, type Interval } from "../../../db/market/intervals";

function IntervalLinksView({ interval, search }: { interval: Interval; search: string }) {
  return (
    <nav className="segmented small intervals" aria-label="Candle interval">
      {INTERVALS.map((i) => {
        const next = new URLSearchParams(search);
        next.set("interval", i);
        return (
          <Link key={i} to={`?${next}`} replace preventScrollReset className={`seg ${i === interval ? "on" : ""}`} aria-current={i === interval ? "true" : undefined}>
            {i}
          </Link>
        );
      })}
    </nav>
  );
}

export const IntervalLinks = memo(IntervalLinksView);
