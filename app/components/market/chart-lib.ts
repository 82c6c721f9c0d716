/**
 * The only module that imports lightweight-charts, and only by name, so the bundler keeps just
 * the candlestick and histogram series. PriceChart loads it with a dynamic import.
 *
 * Candles fill the top pane on the price scale; volume has a pane of its own underneath (v5 panes:
 * its own right-hand scale, so the bars can never dwarf or hide the candles), a quarter of the
 * height, fixed: a draggable pane separator would be a 1-pixel touch target.
 */
import { CandlestickSeries, ColorType, createChart, CrosshairMode, HistogramSeries } from "lightweight-charts";
import type { Trade } from "../../../party/protocol";
import type { Candle } from "./PriceChart";

export interface ChartColors {
  line: string;
  up: string;
  down: string;
  text: string;
  font: string;
}

/** Candle pane : volume pane heights. */
export const PANE_STRETCH = [3, 1] as const;

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
    timeScale: { borderColor: colors.line, timeVisible: true, secondsVisible: false },
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
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.06 } });
  const volume = chart.addSeries(
    HistogramSeries,
    { priceFormat: { type: "volume" }, lastValueVisible: false, priceLineVisible: false },
    1,
  );
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.12, bottom: 0 } });
  const [top, bottom] = chart.panes();
  top?.setStretchFactor(PANE_STRETCH[0]);
  bottom?.setStretchFactor(PANE_STRETCH[1]);
  return { chart, candles, volume };
}

export type MountedChart = ReturnType<typeof mountChart>;

type Bar = { current: Candle | null };

/** All candles at once; returns the last trade seq they include (live trades after it move the bar). */
export function setCandles(a: MountedChart, bar: Bar, candles: Candle[], trades: Trade[], volColor: (c: Candle) => string): number {
  a.candles.setData(candles.map((c) => ({ time: c.time as never, open: c.open, high: c.high, low: c.low, close: c.close })));
  a.volume.setData(candles.map((c) => ({ time: c.time as never, value: c.volume, color: volColor(c) })));
  bar.current = candles.at(-1) ?? null;
  a.chart.timeScale().fitContent();
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
  }
  return fresh.at(-1)!.seq;
}
