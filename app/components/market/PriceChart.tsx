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
import { whenNear } from "./when-near";

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

/** Candles from a URL (the market page's, fetched when the chart starts, so never in a page's HTML), or given. */
async function candlesFrom(source: Candle[] | string): Promise<Candle[]> {
  if (typeof source !== "string") return source;
  const r = await fetch(source);
  if (!r.ok) throw new Error(String(r.status));
  return (await r.json()) as Candle[];
}

const NONE: Candle[] = [];

/**
 * `settings: false` (the dashboard's chart panel) draws the player's saved indicators without the
 * settings toggles; they are changed on the market page. `onlyNear: false` (the dashboard, a page of
 * panels the player arranged to see) starts the chart after load and idle wherever it is.
 */
export function PriceChart({ candles: source, interval, trades, prefs, onPrefs, form, settings = true, onlyNear = true }: { candles: Candle[] | string; interval: ChartInterval; trades: Trade[]; prefs: ChartPrefs; onPrefs: (p: ChartPrefs) => void; form: SettingsForm; settings?: boolean; onlyNear?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<import("./chart-lib").LiveChart | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);
  const [fetched, setFetched] = useState<Candle[] | null>(null);
  const candles = typeof source === "string" ? (fetched ?? NONE) : source;
  /** The props as of now, for the chart's first draw and its updates (chart-lib's LiveChart). */
  const latest = useRef({ candles, trades, step: INTERVAL_SECONDS[interval], prefs });
  latest.current = { candles, trades, step: INTERVAL_SECONDS[interval], prefs };

  useEffect(() => {
    let disposed = false;
    // After the page has loaded and the browser is idle, and only once the chart is near the screen
    // (whenNear): the ladder, ticket and tape come first. A chart hidden behind its tab starts when
    // the tab is shown.
    const start = () =>
      Promise.all([chartLib(), candlesFrom(source)])
        .then(([lib, loaded]) => {
          if (disposed || !host.current) return;
          if (typeof source === "string") {
            setFetched(loaded);
            latest.current = { ...latest.current, candles: loaded };
          }
          chart.current = new lib.LiveChart(host.current, formatGold, () => latest.current);
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
      chart.current?.remove();
      chart.current = null;
    };
  }, []);

  // Candles, live trades moving the last candle (or opening a new one), indicators: LiveChart draws what changed.
  useEffect(() => {
    if (ready) chart.current?.update();
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
