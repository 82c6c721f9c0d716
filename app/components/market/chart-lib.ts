/**
 * The only module that imports lightweight-charts, and only by name, so the bundler keeps just
 * the candlestick and histogram series. PriceChart loads it with a dynamic import.
 *
 * Candles fill the top pane on the price scale; volume has a pane of its own underneath (v5 panes:
 * its own right-hand scale, so the bars can never dwarf or hide the candles), a quarter of the
 * height, fixed: a draggable pane separator would be a 1-pixel touch target.
 */
import { CandlestickSeries, ColorType, createChart, CrosshairMode, HistogramSeries } from "lightweight-charts";

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
