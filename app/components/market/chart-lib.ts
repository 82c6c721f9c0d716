/**
 * The only module that imports lightweight-charts, and only by name, so the bundler keeps just
 * the candlestick and histogram series. PriceChart loads it with a dynamic import.
 */
import { CandlestickSeries, ColorType, createChart, CrosshairMode, HistogramSeries } from "lightweight-charts";

export interface ChartColors {
  line: string;
  up: string;
  down: string;
  text: string;
  font: string;
}

export function mountChart(host: HTMLElement, colors: ChartColors, format: (copper: number) => string) {
  const chart = createChart(host, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: colors.text, fontFamily: colors.font, attributionLogo: false },
    grid: { vertLines: { color: colors.line }, horzLines: { color: colors.line } },
    rightPriceScale: { borderColor: colors.line },
    timeScale: { borderColor: colors.line, timeVisible: true, secondsVisible: false },
    crosshair: { mode: CrosshairMode.Normal },
    localization: { priceFormatter: (p: number) => format(Math.round(p)) },
  });
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: colors.up,
    downColor: colors.down,
    wickUpColor: colors.up,
    wickDownColor: colors.down,
    borderVisible: false,
    priceFormat: { type: "custom", minMove: 1, formatter: (p: number) => format(Math.round(p)) },
  });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.1, bottom: 0.28 } });
  const volume = chart.addSeries(HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "", lastValueVisible: false, priceLineVisible: false });
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.78, bottom: 0 } });
  return { chart, candles, volume };
}

export type MountedChart = ReturnType<typeof mountChart>;
