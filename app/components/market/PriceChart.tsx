/**
 * Candles with volume, drawn by lightweight-charts (TradingView's library for financial charts).
 * The library is imported dynamically, here only: other pages never download it, and the market
 * page paints its ladder and ticket before the chart arrives.
 */
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import type { ChartPrefs } from "~/utils/indicators/prefs";
import type { Trade } from "../../../party/protocol";
import { formatGold } from "~/utils/money";
import { afterLoadIdle } from "~/utils/idle";

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  notional?: number;
}

/** The indicator settings, interactive: from chart-lib's chunk, so only once the chart has loaded. */
const chartLib = () => import("./chart-lib");
const Settings = lazy(() => chartLib().then((m) => ({ default: m.ChartSettings })));
/** The settings form as server-rendered HTML (no script) until then: it posts without JavaScript. */
export type SettingsForm = { html: string; csrf: string; back: string };

export const INTERVAL_SECONDS = { "1m": 60, "5m": 300, "1h": 3_600, "1d": 86_400 } as const;
export type ChartInterval = keyof typeof INTERVAL_SECONDS;

type Lib = typeof import("./chart-lib");
type Api = import("./chart-lib").MountedChart;

/** How far below (or above) the screen the chart starts loading, so it is drawn by the time it shows. */
const NEAR_MARGIN = "600px 0px";

/** Calls `then` once `el` is on or near the screen (at once without IntersectionObserver); returns a cancel. */
function whenNear(el: Element | null, then: () => void): () => void {
  if (!el || typeof IntersectionObserver === "undefined") {
    then();
    return () => {};
  }
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      then();
    },
    { rootMargin: NEAR_MARGIN },
  );
  observer.observe(el);
  return () => observer.disconnect();
}

/**
 * `settings: false` (the dashboard's chart panel) draws the player's saved indicators without the
 * settings toggles; they are changed on the market page. `onlyNear: false` (the dashboard, a page of
 * panels the player arranged to see) starts the chart after load and idle wherever it is.
 */
export function PriceChart({ candles, interval, trades, prefs, onPrefs, form, settings = true, onlyNear = true }: { candles: Candle[]; interval: ChartInterval; trades: Trade[]; prefs: ChartPrefs; onPrefs: (p: ChartPrefs) => void; form: SettingsForm; settings?: boolean; onlyNear?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const api = useRef<Api | null>(null);
  const lib = useRef<Lib | null>(null);
  const bar = useRef<Candle | null>(null);
  const lastSeq = useRef(0);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);
  /** The props as of now, for the first draw in the same task as the mount. */
  const latest = useRef({ candles, trades, interval, prefs });
  latest.current = { candles, trades, interval, prefs };
  /** What is on the chart (the candles; the trades and indicators, over which candles): the effects below skip a redraw of the same props. */
  const drawn = useRef<{ candles?: Candle[]; trades?: Trade[]; interval?: ChartInterval; prefs?: ChartPrefs; over?: Candle[] }>({});
  /** Off screen, live trades wait there and the chart is not drawn (chart-lib's OffScreen). */
  const off = useRef<import("./chart-lib").OffScreen | null>(null);

  /** Trades after the candles, then the indicators: what the props say, drawn. */
  const drawTrades = (l: Lib, a: Api, now: typeof latest.current) => {
    lastSeq.current = l.pushTrades(a, bar, off.current?.take(now.trades) ?? now.trades, lastSeq.current, INTERVAL_SECONDS[now.interval], l.volumeColor);
    l.drawIndicators(a, now.prefs, INTERVAL_SECONDS[now.interval]);
    l.markDrawn(a, lastSeq.current, bar);
    drawn.current = { ...drawn.current, trades: now.trades, interval: now.interval, prefs: now.prefs, over: drawn.current.candles };
  };
  /** The props differ from what is drawn. */
  const behind = () => {
    const d = drawn.current;
    const now = latest.current;
    return d.over !== now.candles || d.trades !== now.trades || d.interval !== now.interval || d.prefs !== now.prefs;
  };
  const drawCandles = (l: Lib, a: Api, now: typeof latest.current) => {
    lastSeq.current = Math.max(lastSeq.current, l.setCandles(a, bar, now.candles, now.trades, l.volumeColor));
    drawn.current = { ...drawn.current, candles: now.candles };
  };

  useEffect(() => {
    let disposed = false;
    // After the page has loaded and the browser is idle, and only once the chart is near the screen:
    // the ladder, ticket and tape come first, and a phone player who trades from the ticket without
    // scrolling down to the chart never downloads or starts it. A chart hidden behind its tab starts
    // when the tab is shown.
    const start = () =>
      chartLib()
        .then((loaded) => {
          if (disposed || !host.current) return;
          lib.current = loaded;
          const mounted = loaded.mountChart(host.current, loaded.themeColors(), formatGold);
          api.current = mounted;
          // The data goes in before the chart's first frame: drawn empty first, its price axis
          // would widen for the labels and every canvas be resized and drawn again.
          drawCandles(loaded, api.current, latest.current);
          drawTrades(loaded, api.current, latest.current);
          off.current = new loaded.OffScreen(mounted, () => behind() && drawTrades(loaded, mounted, latest.current));
          setReady(true);
        })
        .catch(() => setFailed(true));
    let stopWatching = afterLoadIdle(() => {
      if (onlyNear) stopWatching = whenNear(host.current, () => void start());
      else void start();
    });
    return () => {
      disposed = true;
      stopWatching();
      off.current?.stop();
      api.current?.chart.remove();
      api.current = null;
    };
  }, []);

  // Candles, and live trades moving the last candle (or opening a new one): chart-lib draws both.
  useEffect(() => {
    if (!ready || !api.current || !lib.current || drawn.current.candles === candles) return;
    drawCandles(lib.current, api.current, latest.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, candles]);

  useEffect(() => {
    if (!ready || !api.current || !lib.current || !behind()) return;
    // Off screen: keep the trades, draw when the chart comes back (or when too many wait).
    if (off.current?.hold(trades, lastSeq.current)) return;
    drawTrades(lib.current, api.current, latest.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, candles, trades, interval, prefs]);

  const empty = candles.length === 0 && trades.length === 0;
  const stat = <div className="chart-settings-host" dangerouslySetInnerHTML={{ __html: form.html }} />;
  return (
    <>
    {/* The server's plain form until the chart is ready; no Suspense boundary to hydrate (an update
        during hydration, such as going offline, would make React throw away a boundary: error 421). */}
    {!settings ? null : ready ? <Suspense fallback={stat}><Settings prefs={prefs} onChange={onPrefs} csrf={form.csrf} back={form.back} /></Suspense> : stat}
    <div className="chart" role="img" aria-label={`Price chart, ${interval} candles with volume`}>
      <div ref={host} className="chart-canvas" />
      {!ready && !failed ? <p className="chart-note muted">Loading chart…</p> : null}
      {failed ? <p className="chart-note muted">The chart could not load. Prices below are live.</p> : null}
      {ready && empty ? <p className="chart-note muted">No trades in this market yet.</p> : null}
      <noscript>
        <p className="chart-note muted">The chart needs JavaScript; the book and trades below work without it.</p>
      </noscript>
    </div>
    </>
  );
}
