/**
 * A player's chart settings: which indicators are on and their periods (a period is kept while
 * its indicator is off). Stored per player on the server (chart_preferences, ADR 018) so they
 * follow the player to another device; set by the chart's toggles or, without JavaScript, by
 * the same form posted whole.
 */
import { MAX_PERIOD, MAX_WIDTH, MIN_PERIOD, MIN_WIDTH, type IndicatorSpec } from "./spec";

export interface ChartPrefs {
  sma: { on: boolean; period: number };
  ema: { on: boolean; period: number };
  bb: { on: boolean; period: number; width: number };
  vwap: { on: boolean };
  volume: { on: boolean };
}

export const CHART_TOGGLES = ["sma", "ema", "vwap", "bb", "volume"] as const;
export type ChartToggle = (typeof CHART_TOGGLES)[number];

export const DEFAULT_CHART_PREFS: ChartPrefs = {
  sma: { on: false, period: 20 },
  ema: { on: false, period: 50 },
  bb: { on: false, period: 20, width: 2 },
  vwap: { on: false },
  volume: { on: true },
};

const isPeriod = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= MIN_PERIOD && (v as number) <= MAX_PERIOD;
const isWidth = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v * 10) && v >= MIN_WIDTH && v <= MAX_WIDTH;

/** Whatever is stored (or nothing) -> valid settings; a bad or missing field takes its default. */
export function readChartPrefs(stored: unknown): ChartPrefs {
  const s = (stored && typeof stored === "object" ? stored : {}) as Record<string, Record<string, unknown> | undefined>;
  const d = DEFAULT_CHART_PREFS;
  const on = (k: ChartToggle) => (typeof s[k]?.on === "boolean" ? (s[k]!.on as boolean) : d[k].on);
  return {
    sma: { on: on("sma"), period: isPeriod(s.sma?.period) ? s.sma.period : d.sma.period },
    ema: { on: on("ema"), period: isPeriod(s.ema?.period) ? s.ema.period : d.ema.period },
    bb: { on: on("bb"), period: isPeriod(s.bb?.period) ? s.bb.period : d.bb.period, width: isWidth(s.bb?.width) ? s.bb.width : d.bb.width },
    vwap: { on: on("vwap") },
    volume: { on: on("volume") },
  };
}

/**
 * The chart settings form: `toggle=<name>` flips one indicator (the chart's buttons); otherwise
 * the checkboxes (`on=<name>`, repeated) and periods (smaPeriod, emaPeriod, bbPeriod, bbWidth)
 * replace the settings. Returns the new settings or a message naming the bad field.
 */
export function chartPrefsFromForm(current: ChartPrefs, form: { get(name: string): unknown; getAll(name: string): unknown[] }): ChartPrefs | string {
  const toggle = form.get("toggle");
  if (typeof toggle === "string" && toggle !== "") {
    if (!(CHART_TOGGLES as readonly string[]).includes(toggle)) return `unknown indicator ${toggle}`;
    const k = toggle as ChartToggle;
    return { ...current, [k]: { ...current[k], on: !current[k].on } };
  }
  const on = new Set(form.getAll("on").map(String));
  const num = (name: string, fallback: number, ok: (v: unknown) => boolean, words: string): number | string => {
    const raw = form.get(name);
    if (raw === null || raw === undefined || raw === "") return fallback;
    const v = Number(raw);
    return ok(v) ? v : `${words}, not ${String(raw).slice(0, 20)}`;
  };
  const periodWords = (what: string) => `${what} period must be a whole number of candles from ${MIN_PERIOD} to ${MAX_PERIOD}`;
  const smaP = num("smaPeriod", current.sma.period, isPeriod, periodWords("SMA"));
  const emaP = num("emaPeriod", current.ema.period, isPeriod, periodWords("EMA"));
  const bbP = num("bbPeriod", current.bb.period, isPeriod, periodWords("Bollinger"));
  const bbW = num("bbWidth", current.bb.width, isWidth, `Bollinger width must be ${MIN_WIDTH} to ${MAX_WIDTH} in tenths`);
  for (const v of [smaP, emaP, bbP, bbW]) if (typeof v === "string") return v;
  return {
    sma: { on: on.has("sma"), period: smaP as number },
    ema: { on: on.has("ema"), period: emaP as number },
    bb: { on: on.has("bb"), period: bbP as number, width: bbW as number },
    vwap: { on: on.has("vwap") },
    volume: { on: on.has("volume") },
  };
}

/** The indicators the settings turn on (volume is a pane, not an indicator series). */
export function chartSpecs(p: ChartPrefs): IndicatorSpec[] {
  const out: IndicatorSpec[] = [];
  if (p.sma.on) out.push({ kind: "sma", period: p.sma.period });
  if (p.ema.on) out.push({ kind: "ema", period: p.ema.period });
  if (p.vwap.on) out.push({ kind: "vwap" });
  if (p.bb.on) out.push({ kind: "bb", period: p.bb.period, width: p.bb.width });
  return out;
}
