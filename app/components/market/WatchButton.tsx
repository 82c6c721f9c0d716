/**
 * The market page's star: a form that adds the market to the watchlist or takes it off (it works
 * without JavaScript). Memoized: a Remix Form resolves its action through the router on every
 * render, and the market page renders on every feed update.
 */
import { Form } from "@remix-run/react";
import { memo } from "react";

function WatchButtonView({ watched }: { watched: boolean }) {
  return (
    <Form method="post" className="inline" replace preventScrollReset>
      <button type="submit" name="intent" value={watched ? "unwatch" : "watch"} className="icon-button star" aria-pressed={watched} aria-label={watched ? "Remove from watchlist" : "Add to watchlist"}>
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path
            d="M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z"
            fill={watched ? "currentColor" : "none"}
            stroke="currentColor"
            strokeWidth="1.6"
            strokeLinejoin="round"
          />
        </svg>
      </button>
    </Form>
  );
}

export const WatchButton = memo(WatchButtonView);
