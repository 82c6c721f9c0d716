/**
 * The only module that imports lightweight-charts, and only by name, so the bundler keeps just
 * the candlestick and histogram series. PriceChart loads it with a dynamic import.
 *
 * Candles fill the top of the chart on the price scale; volume is under them, on a scale of its
 * own, so the bars can never dwarf or hide the candles:
 * - on a chart at least VOLUME_PANE_MIN_WIDTH wide (tablets, desktops), in a pane of its own (v5
 *   panes), a quarter of the height, fixed (a draggable pane separator would be a 1-pixel touch
 *   target), with its scale in item counts on the right;
 * - narrower (phones), in the candles' pane, on an unlabelled overlay scale in its bottom quarter,
 *   as most exchanges' phone charts draw it. A second pane is four more canvases to size and draw:
 *   on Lighthouse's phone it made the chart's first frame about 30% longer (200-230 against
 *   140-170 ms at 4x CPU slowdown, docs/PERFORMANCE.md 2026-12-05 21:40).
 */
import { CandlestickSeries, ColorType, createChart, CrosshairMode, HistogramSeries, LineSeries, LineStyle, type ISeriesApi, type SeriesType } from "lightweight-charts";
import type { Trade } from "../../../party/protocol";
import { chartSpecs, type ChartPrefs } from "~/utils/indicators/prefs";
import type { BandPoint, Point } from "~/utils/indicators/series";
import { computeIndicators, specKey } from "~/utils/indicators/spec";
import type { Candle } from "./PriceChart";
import { onlyLastMoved } from "./line-points";
import { tickLabel } from "./tick-labels";
import { UnseenTrades } from "./unseen-trades";

/** Loaded with the chart: the indicator settings' interactive form (PriceChart swaps it in). */
export { ChartSettings } from "./ChartSettings";
/** The mounted chart kept in step with PriceChart's props. */
export { LiveChart } from "./live-chart";

export interface ChartColors {
  line: string;
  up: string;
  down: string;
  text: string;
  font: string;
}

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** The chart's colours and font, from the page's theme (its CSS variables). */
export const themeColors = (): ChartColors => ({ line: css("--line"), up: css("--up"), down: css("--down"), text: css("--muted"), font: css("--font") });

/** A volume bar's colour: the soft up or down colour of its candle. */
export const volumeColor = (c: Candle) => (c.close >= c.open ? css("--up-soft") : css("--down-soft"));

/** Candle pane : volume pane heights, where volume has a pane. */
export const PANE_STRETCH = [3, 1] as const;
/** The least chart width (CSS px) at which volume gets a pane and a labelled scale of its own. */
export const VOLUME_PANE_MIN_WIDTH = 600;
/** Without a pane: the share of the chart's height at the bottom that the volume bars may reach. */
const VOLUME_OVERLAY_SHARE = 0.24;

/** The candles' margins: room at the bottom for the bars when they share the pane. */
const candleMargins = (barsUnder: boolean) => ({ top: 0.08, bottom: barsUnder ? 0.3 : 0.06 });

export function mountChart(host: HTMLElement, colors: ChartColors, format: (copper: number) => string) {
  const chart = createChart(host, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: "transparent" },
      textColor: colors.text,
      fontFamily: colors.font,
      attributionLogo: false,
      panes: { enableResize: false, separatorColor: colors.line, separatorHoverColor: "transparent" },
    },
    grid: { vertLines: { color: colors.line }, horzLines: { color: colors.line } },
    rightPriceScale: { borderColor: colors.line },
    timeScale: { borderColor: colors.line, timeVisible: true, secondsVisible: false, tickMarkFormatter: tickLabel },
    crosshair: { mode: CrosshairMode.Normal },
  });
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: colors.up,
    downColor: colors.down,
    wickUpColor: colors.up,
    wickDownColor: colors.down,
    borderVisible: false,
    priceFormat: { type: "custom", minMove: 1, formatter: (p: number) => format(Math.round(p)) },
  });
  const volumePane = host.clientWidth >= VOLUME_PANE_MIN_WIDTH;
  candles.priceScale().applyOptions({ scaleMargins: candleMargins(!volumePane) });
  const volume = chart.addSeries(
    HistogramSeries,
    { priceFormat: { type: "volume" }, lastValueVisible: false, priceLineVisible: false, ...(volumePane ? {} : { priceScaleId: "" }) },
    volumePane ? 1 : 0,
  );
  volume.priceScale().applyOptions({ scaleMargins: { top: volumePane ? 0.12 : 1 - VOLUME_OVERLAY_SHARE, bottom: 0 } });
  if (volumePane) {
    const [top, bottom] = chart.panes();
    top?.setStretchFactor(PANE_STRETCH[0]);
    bottom?.setStretchFactor(PANE_STRETCH[1]);
  }
  return { chart, host, candles, volume, volumePane, format, data: [] as Candle[], lines: new Map<string, { series: ISeriesApi<SeriesType>; points: Point[] }>(), drawn: "", volumeOn: true };
}

export type MountedChart = ReturnType<typeof mountChart>;

/** How near the screen a chart draws live trades; farther away they wait (./unseen-trades.ts). */
const DRAW_MARGIN = "100px 0px";

/**
 * A loaded chart off screen (farther than DRAW_MARGIN): live trades wait in `unseen` instead of
 * being drawn, and `back` is called when it returns. (Here, not in PriceChart: chart-lib's chunk
 * loads with the chart, so none of it is in the market page's first-load JavaScript.)
 */
export class OffScreen {
  private on = true;
  private readonly unseen = new UnseenTrades();
  readonly stop: () => void;

  constructor(a: MountedChart, back: () => void) {
    if (typeof IntersectionObserver === "undefined") {
      this.stop = () => {};
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        // One call can bring several entries for the host (on screen, then scrolled away before the
        // callback ran): the last is where it is now.
        this.on = entries[entries.length - 1]!.isIntersecting;
        a.host.setAttribute("data-on-screen", String(this.on));
        if (this.on) back();
      },
      { rootMargin: DRAW_MARGIN },
    );
    observer.observe(a.host);
    this.stop = () => observer.disconnect();
  }

  /** Off screen: keeps the trades after `drawnSeq` and says not to draw (unless too many wait). */
  hold(trades: Trade[], drawnSeq: number): boolean {
    if (this.on) return false;
    this.unseen.add(trades, drawnSeq);
    return !this.unseen.full;
  }

  /** The trades to draw now: those that waited and the feed's. */
  take(trades: Trade[]): Trade[] {
    return this.unseen.take(trades);
  }
}

/** What is drawn, on the chart's host for tests that cannot read a canvas: the indicators, the last trade's seq and its candle's close. */
export function markDrawn(a: MountedChart, lastSeq: number, bar: { current: Candle | null }): void {
  a.host.setAttribute("data-indicators", a.drawn);
  a.host.setAttribute("data-drawn-seq", String(lastSeq));
  a.host.setAttribute("data-last-close", String(bar.current?.close ?? ""));
}

/** The least width of a candle and its gap, in CSS pixels (lightweight-charts' own default spacing). */
export const MIN_BAR_SPACING = 6;

/**
 * Every candle when they all fit at MIN_BAR_SPACING; otherwise the most recent that do, at that
 * spacing, and the older ones a drag or a pinch away. A phone's 24 hours of 5-minute candles
 * squeezed into 340 px would be 1.2 px each: a smear, not candles. The chart draws only the
 * candles in view, so a phone also draws a fifth of them.
 */
function showRecent(a: MountedChart, count: number): void {
  const scale = a.chart.timeScale();
  if (count * MIN_BAR_SPACING <= a.host.clientWidth) {
    scale.fitContent();
    return;
  }
  scale.applyOptions({ barSpacing: MIN_BAR_SPACING });
  scale.scrollToRealTime();
}

type Bar = { current: Candle | null };

/** All candles at once; returns the last trade seq they include (live trades after it move the bar). */
export function setCandles(a: MountedChart, bar: Bar, candles: Candle[], trades: Trade[], volColor: (c: Candle) => string): number {
  a.candles.setData(candles.map((c) => ({ time: c.time as never, open: c.open, high: c.high, low: c.low, close: c.close })));
  a.volume.setData(candles.map((c) => ({ time: c.time as never, value: c.volume, color: volColor(c) })));
  bar.current = candles.at(-1) ?? null;
  a.data = candles.slice();
  showRecent(a, candles.length);
  return Math.max(0, ...trades.map((t) => t.seq));
}

/** Live trades after `lastSeq` move the last candle (or open a new one); returns the new last seq. */
export function pushTrades(a: MountedChart, bar: Bar, trades: Trade[], lastSeq: number, step: number, volColor: (c: Candle) => string): number {
  const fresh = trades.filter((t) => t.seq > lastSeq).sort((x, y) => x.seq - y.seq);
  if (fresh.length === 0) return lastSeq;
  for (const t of fresh) {
    const time = Math.floor(t.at / 1000 / step) * step;
    let b = bar.current;
    if (b && time < b.time) continue;
    if (!b || time > b.time) b = { time, open: t.price, high: t.price, low: t.price, close: t.price, volume: 0 };
    b = { ...b, high: Math.max(b.high, t.price), low: Math.min(b.low, t.price), close: t.price, volume: b.volume + t.quantity };
    bar.current = b;
    a.candles.update({ time: b.time as never, open: b.open, high: b.high, low: b.low, close: b.close });
    a.volume.update({ time: b.time as never, value: b.volume, color: volColor(b) });
    const last = a.data.at(-1);
    const moved = { ...b, notional: (last && last.time === b.time ? (last.notional ?? last.close * last.volume) : 0) + t.price * t.quantity };
    if (last && last.time === b.time) a.data[a.data.length - 1] = moved;
    else a.data.push(moved);
  }
  return fresh.at(-1)!.seq;
}

/** Line colours of the indicators (readable on the dark and the light theme). */
export const INDICATOR_COLORS = { sma: "#e0a526", ema: "#a070f0", vwap: "#1fb5c9", bb: "#8a96a8" } as const;

/** One indicator line: its key (which indicator and which of its lines), look and points. */
interface Line {
  key: string;
  color: string;
  points: Point[];
  title: string;
  dashed: boolean;
}

/** The lines the chosen indicators draw, on the interval's time grid. */
function indicatorLines(a: MountedChart, specs: ReturnType<typeof chartSpecs>, step: number): Line[] {
  const values = computeIndicators(a.data, step, specs);
  return specs.flatMap((spec): Line[] => {
    const key = specKey(spec);
    const v = values[key]!;
    if (spec.kind !== "bb") {
      const title = spec.kind === "vwap" ? "VWAP" : `${spec.kind.toUpperCase()} ${spec.period}`;
      return [{ key, color: INDICATOR_COLORS[spec.kind], points: v as Point[], title, dashed: false }];
    }
    const bands = v as BandPoint[];
    const band = (part: "upper" | "middle" | "lower", title: string, dashed: boolean): Line => ({
      key: `${key}:${part}`, color: INDICATOR_COLORS.bb, points: bands.map((b) => ({ time: b.time, value: b[part] })), title, dashed,
    });
    return [band("upper", "", true), band("middle", `BB ${spec.period}`, false), band("lower", "", true)];
  });
}

/**
 * The chosen indicators as lines over the candles (pure functions of app/utils/indicators, on the
 * interval's time grid), and the volume pane shown or hidden. Cheap enough to recompute on every
 * change: a few hundred candles. A line that stays (every live trade, in a hot market up to about
 * 16 times a second) keeps its series: when only its last point moved or one was added, that point
 * is updated, otherwise its points are set again. Only lines turned on or off are added or removed:
 * adding or removing a series lays out the whole chart again.
 */
export function drawIndicators(a: MountedChart, prefs: ChartPrefs, step: number) {
  const specs = chartSpecs(prefs);
  const lines = indicatorLines(a, specs, step);
  const wanted = new Set(lines.map((l) => l.key));
  for (const [key, line] of a.lines) {
    if (wanted.has(key)) continue;
    a.chart.removeSeries(line.series);
    a.lines.delete(key);
  }
  for (const l of lines) {
    const drawn = a.lines.get(l.key);
    if (drawn && onlyLastMoved(drawn.points, l.points)) {
      const last = l.points.at(-1);
      if (last) drawn.series.update({ time: last.time as never, value: last.value });
      drawn.points = l.points;
      continue;
    }
    const series = drawn?.series ?? a.chart.addSeries(LineSeries, {
      color: l.color, lineWidth: l.dashed ? 1 : 2, lineStyle: l.dashed ? LineStyle.Dashed : LineStyle.Solid, title: l.title,
      priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false,
      priceFormat: { type: "custom", minMove: 1, formatter: (p: number) => a.format(Math.round(p)) },
    });
    series.setData(l.points.map((p) => ({ time: p.time as never, value: p.value })));
    a.lines.set(l.key, { series, points: l.points });
  }
  // Only on a change: a pane's new stretch lays out (and resizes) every canvas again.
  if (a.volumeOn !== prefs.volume.on) {
    a.volume.applyOptions({ visible: prefs.volume.on });
    if (a.volumePane) a.chart.panes()[1]?.setStretchFactor(prefs.volume.on ? PANE_STRETCH[1] : 0.001);
    else a.candles.priceScale().applyOptions({ scaleMargins: candleMargins(prefs.volume.on) });
    a.volumeOn = prefs.volume.on;
  }
  a.drawn = specs.map(specKey).join(",") + (prefs.volume.on ? ",volume" : "");
}
