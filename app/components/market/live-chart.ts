/**
 * A mounted price chart kept in step with PriceChart's props: the candles, then the live trades
 * after them and the indicators over them, each drawn only when it changed. Off screen, live
 * trades wait (OffScreen) and are drawn when the chart comes back. It lives in chart-lib's lazy
 * chunk with the library, so none of it is in the market page's first-load JavaScript.
 */
import type { Trade } from "../../../party/protocol";
import type { ChartPrefs } from "~/utils/indicators/prefs";
import { drawIndicators, markDrawn, mountChart, OffScreen, pushTrades, setCandles, themeColors, volumeColor, type MountedChart } from "./chart-lib";
import type { Candle } from "./PriceChart";

/** What PriceChart shows: its props as of now, with the interval's length in seconds. */
export interface ChartProps {
  candles: Candle[];
  trades: Trade[];
  step: number;
  prefs: ChartPrefs;
}

export class LiveChart {
  readonly api: MountedChart;
  private readonly bar: { current: Candle | null } = { current: null };
  private lastSeq = 0;
  /** The props on the chart: `over` is the candles the trades and indicators were drawn over. */
  private drawn: Partial<ChartProps> & { over?: Candle[] } = {};
  private readonly off: OffScreen;

  /** Mounts and draws the props before the chart's first frame (drawn empty first, its price axis would widen and every canvas be drawn again). */
  constructor(host: HTMLElement, format: (copper: number) => string, private readonly props: () => ChartProps) {
    this.api = mountChart(host, themeColors(), format);
    // Its observer reports asynchronously, after the first draw below: nothing waits yet.
    this.off = new OffScreen(this.api, () => this.behind() && this.drawTrades());
    this.drawCandles();
    this.drawTrades();
  }

  /** The props changed: draws what differs; off screen, live trades wait (unless too many do). */
  update(): void {
    if (this.drawn.candles !== this.props().candles) this.drawCandles();
    if (!this.behind() || this.off.hold(this.props().trades, this.lastSeq)) return;
    this.drawTrades();
  }

  remove(): void {
    this.off.stop();
    this.api.chart.remove();
  }

  private behind(): boolean {
    const d = this.drawn;
    const now = this.props();
    return d.over !== now.candles || d.trades !== now.trades || d.step !== now.step || d.prefs !== now.prefs;
  }

  private drawCandles(): void {
    const now = this.props();
    this.lastSeq = Math.max(this.lastSeq, setCandles(this.api, this.bar, now.candles, now.trades, volumeColor));
    this.drawn = { ...this.drawn, candles: now.candles };
  }

  /** Trades after the candles, then the indicators. */
  private drawTrades(): void {
    const now = this.props();
    this.lastSeq = pushTrades(this.api, this.bar, this.off.take(now.trades), this.lastSeq, now.step, volumeColor);
    drawIndicators(this.api, now.prefs, now.step);
    markDrawn(this.api, this.lastSeq, this.bar);
    this.drawn = { ...this.drawn, trades: now.trades, step: now.step, prefs: now.prefs, over: this.drawn.candles };
  }
}
