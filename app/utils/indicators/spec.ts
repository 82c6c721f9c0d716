/**
 * Which indicators: the API's `indicators=sma:20,ema:50,vwap,bb:20:2` and a player's chart
 * settings (remembered on the server, ADR 018) both become a list of IndicatorSpec.
 */
import { bollinger } from "./bollinger";
import { ema } from "./ema";
import type { BandPoint, IndicatorCandle, Point } from "./series";
import { sma } from "./sma";
import { vwap } from "./vwap";

export const MIN_PERIOD = 2;
export const MAX_PERIOD = 200;
export const MAX_INDICATORS = 8;
/** Bollinger width in standard deviations: 0.5 to 4, in tenths. */
export const MIN_WIDTH = 0.5;
export const MAX_WIDTH = 4;

export type IndicatorSpec = { kind: "sma" | "ema"; period: number } | { kind: "vwap" } | { kind: "bb"; period: number; width: number };

export const specKey = (s: IndicatorSpec): string =>
  s.kind === "vwap" ? "vwap" : s.kind === "bb" ? `bb:${s.period}:${s.width}` : `${s.kind}:${s.period}`;

const periodProblem = (what: string, p: string | undefined): string | number => {
  if (p === undefined || !/^[0-9]{1,4}$/.test(p)) return `${what} needs a period, a whole number of candles from ${MIN_PERIOD} to ${MAX_PERIOD}`;
  const n = Number(p);
  return n < MIN_PERIOD || n > MAX_PERIOD ? `${what} period must be from ${MIN_PERIOD} to ${MAX_PERIOD} candles, not ${n}` : n;
};

const widthProblem = (w: string | undefined): string | number => {
  if (w === undefined) return 2;
  if (!/^[0-9](\.[0-9])?$/.test(w)) return `bb width must be ${MIN_WIDTH} to ${MAX_WIDTH} standard deviations in tenths (e.g. 2 or 2.5), not ${w}`;
  const n = Number(w);
  return n < MIN_WIDTH || n > MAX_WIDTH ? `bb width must be from ${MIN_WIDTH} to ${MAX_WIDTH}, not ${n}` : n;
};

/** "sma:20,ema:50,vwap,bb:20:2" -> specs (duplicates dropped), or a message naming the problem. */
export function parseIndicators(text: string): IndicatorSpec[] | string {
  const specs = new Map<string, IndicatorSpec>();
  const parts = text.split(",").map((p) => p.trim()).filter(Boolean);
  if (parts.length > MAX_INDICATORS) return `at most ${MAX_INDICATORS} indicators at once`;
  for (const part of parts) {
    const [kind, a, b, ...rest] = part.toLowerCase().split(":");
    let spec: IndicatorSpec;
    if (kind === "vwap" && a === undefined) spec = { kind: "vwap" };
    else if ((kind === "sma" || kind === "ema") && b === undefined) {
      const p = periodProblem(kind, a);
      if (typeof p === "string") return p;
      spec = { kind, period: p };
    } else if (kind === "bb" && rest.length === 0) {
      const p = periodProblem("bb", a);
      if (typeof p === "string") return p;
      const w = widthProblem(b);
      if (typeof w === "string") return w;
      spec = { kind, period: p, width: w };
    } else return `unknown indicator "${part}": use sma:<period>, ema:<period>, vwap or bb:<period>[:<width>]`;
    specs.set(specKey(spec), spec);
  }
  return [...specs.values()];
}

export type IndicatorValues = Record<string, Point[] | BandPoint[]>;

/** Each spec's series over the candles (`step`: the interval in seconds), keyed by specKey. */
export function computeIndicators(candles: readonly IndicatorCandle[], step: number, specs: readonly IndicatorSpec[]): IndicatorValues {
  const out: IndicatorValues = {};
  for (const s of specs) {
    out[specKey(s)] =
      s.kind === "sma" ? sma(candles, step, s.period)
      : s.kind === "ema" ? ema(candles, step, s.period)
      : s.kind === "bb" ? bollinger(candles, step, s.period, s.width)
      : vwap(candles);
  }
  return out;
}

/** Buckets of history an indicator needs before its first value (warm-up to fetch ahead). */
export const lookback = (specs: readonly IndicatorSpec[]) => Math.max(0, ...specs.map((s) => (s.kind === "vwap" ? 0 : s.period - 1)));
