/** The chart's indicators against series computed by hand, with gaps and too-long periods. */
import { describe, expect, it } from "vitest";
import { bollinger } from "./bollinger";
import { ema } from "./ema";
import { chartPrefsFromForm, chartSpecs, DEFAULT_CHART_PREFS, readChartPrefs } from "./prefs";
import { roundDiv, type IndicatorCandle } from "./series";
import { sma } from "./sma";
import { computeIndicators, lookback, parseIndicators } from "./spec";
import { vwap } from "./vwap";

const M = 60;
/** Candles from [minute, close, volume?, notional?]. */
const series = (...rows: Array<[number, number, number?, number?]>): IndicatorCandle[] =>
  rows.map(([minute, close, volume = 1, notional]) => ({ time: minute * M, close, volume, ...(notional === undefined ? {} : { notional }) }));

const allFinite = (values: unknown) => JSON.stringify(values).match(/null|NaN|Infinity/) === null;

describe("roundDiv", () => {
  it("rounds half up, exactly, past 2^53 / 2", () => {
    expect(roundDiv(3, 2)).toBe(2);
    expect(roundDiv(7, 3)).toBe(2);
    expect(roundDiv(8, 3)).toBe(3);
    expect(roundDiv(0, 5)).toBe(0);
    expect(roundDiv(Number.MAX_SAFE_INTEGER, 2)).toBe(4_503_599_627_370_496);
  });
});

describe("SMA", () => {
  const five = series([0, 10], [1, 20], [2, 30], [3, 40], [4, 50]);
  it("averages the last n closes from the n-th candle on", () => {
    expect(sma(five, M, 3)).toEqual([
      { time: 120, value: 20 },
      { time: 180, value: 30 },
      { time: 240, value: 40 },
    ]);
  });
  it("carries the last close through empty buckets (10, 10, 10, 40, 50)", () => {
    expect(sma(series([0, 10], [3, 40], [4, 50]), M, 3)).toEqual([
      { time: 180, value: 20 },
      { time: 240, value: 33 },
    ]);
  });
  it("counts empty buckets towards the history: a gap can complete the first window", () => {
    expect(sma(series([0, 10], [5, 70]), M, 4)).toEqual([{ time: 300, value: 25 }]); // buckets 2, 3, 4 carry 10: (10+10+10+70)/4
  });
  it("rounds the average half up to whole copper", () => {
    expect(sma(series([0, 1], [1, 2]), M, 2)).toEqual([{ time: 60, value: 2 }]);
    expect(sma(series([0, 1], [1, 1], [2, 2]), M, 3)).toEqual([{ time: 120, value: 1 }]);
  });
  it("gives nothing (not NaN) when the period is longer than the history", () => {
    expect(sma(five, M, 10)).toEqual([]);
    expect(sma([], M, 3)).toEqual([]);
  });
});

describe("EMA", () => {
  it("seeds with the SMA, then steps by alpha = 2/(n+1)", () => {
    // alpha 0.5: seed (10+20+30)/3 = 20; 40/2 + 20/2 = 30; 50/2 + 30/2 = 40
    expect(ema(series([0, 10], [1, 20], [2, 30], [3, 40], [4, 50]), M, 3)).toEqual([
      { time: 120, value: 20 },
      { time: 180, value: 30 },
      { time: 240, value: 40 },
    ]);
  });
  it("steps through empty buckets at the carried close", () => {
    // seed 20 at 2; 3 and 4 empty at 30: 25, 27.5; at 5 (60): 30 + 13.75 = 43.75 -> 44
    expect(ema(series([0, 10], [1, 20], [2, 30], [5, 60]), M, 3)).toEqual([
      { time: 120, value: 20 },
      { time: 300, value: 44 },
    ]);
  });
  it("a gap inside the seed window counts as buckets of the carried close", () => {
    // buckets 10, 10, 10, 40: seed (10+10+10)/3 = 10 after bucket 2 (empty), then 40: 25
    expect(ema(series([0, 10], [3, 40]), M, 3)).toEqual([{ time: 180, value: 25 }]);
  });
  it("keeps its state unrounded (rounding only what it reports)", () => {
    // alpha 1/3: seed (10+10+10+11+11)/5 = 10.4 -> shows 10; then 11: 10.4 + 0.6/3 = 10.6 -> 11.
    // A state rounded to 10 would give 10 + 1/3 = 10.33 -> 10.
    expect(ema(series([0, 10], [1, 10], [2, 10], [3, 11], [4, 11], [5, 11]), M, 5)).toEqual([
      { time: 240, value: 10 },
      { time: 300, value: 11 },
    ]);
  });
  it("gives nothing when the period is longer than the history", () => {
    expect(ema(series([0, 10], [1, 20]), M, 3)).toEqual([]);
  });
});

describe("Bollinger bands", () => {
  it("SMA middle, +- width population standard deviations", () => {
    // 10, 20, 30: mean 20, sd sqrt(200/3) = 8.165; 20 +- 16.33
    expect(bollinger(series([0, 10], [1, 20], [2, 30]), M, 3, 2)).toEqual([{ time: 120, middle: 20, upper: 36, lower: 4 }]);
  });
  it("over a gap, and below zero when the window is wild", () => {
    // buckets 10, 10, 10, 40 -> window at 3: 10, 10, 40: mean 20, sd sqrt(200) = 14.142; 20 +- 28.28
    expect(bollinger(series([0, 10], [3, 40]), M, 3, 2)).toEqual([{ time: 180, middle: 20, upper: 48, lower: -8 }]);
  });
  it("a flat window has no spread", () => {
    expect(bollinger(series([0, 7], [1, 7]), M, 2, 2.5)).toEqual([{ time: 60, middle: 7, upper: 7, lower: 7 }]);
  });
  it("nothing when the period is longer than the history", () => {
    expect(bollinger(series([0, 7], [1, 7]), M, 20, 2)).toEqual([]);
  });
});

describe("VWAP", () => {
  it("notional over volume of the UTC day so far, reset at midnight", () => {
    const day = 86_400 / M;
    expect(vwap(series([0, 10, 2, 19], [1, 11, 3, 33], [day, 7, 1, 7], [day + 5, 9, 1, 10]))).toEqual([
      { time: 0, value: 10 }, // 19 / 2 = 9.5 -> 10
      { time: 60, value: 10 }, // 52 / 5 = 10.4
      { time: 86_400, value: 7 },
      { time: 86_700, value: 9 }, // 17 / 2 = 8.5 -> 9
    ]);
  });
  it("uses close x volume without notional, and skips a candle with no volume", () => {
    expect(vwap(series([0, 10, 0], [1, 20, 2]))).toEqual([{ time: 60, value: 20 }]);
  });
});

describe("parseIndicators", () => {
  it("reads the API's list, dropping duplicates", () => {
    expect(parseIndicators("sma:20,ema:50,vwap,bb:20:2,sma:20")).toEqual([
      { kind: "sma", period: 20 },
      { kind: "ema", period: 50 },
      { kind: "vwap" },
      { kind: "bb", period: 20, width: 2 },
    ]);
    expect(parseIndicators("bb:10")).toEqual([{ kind: "bb", period: 10, width: 2 }]);
    expect(parseIndicators("bb:10:2.5")).toEqual([{ kind: "bb", period: 10, width: 2.5 }]);
    expect(parseIndicators("")).toEqual([]);
  });
  it("names the problem", () => {
    expect(parseIndicators("sma")).toMatch(/sma needs a period/);
    expect(parseIndicators("sma:1")).toMatch(/from 2 to 200 candles, not 1/);
    expect(parseIndicators("ema:500")).toMatch(/not 500/);
    expect(parseIndicators("sma:2.5")).toMatch(/whole number/);
    expect(parseIndicators("bb:20:9")).toMatch(/bb width must be from 0.5 to 4, not 9/);
    expect(parseIndicators("bb:20:2.55")).toMatch(/tenths/);
    expect(parseIndicators("macd:3")).toMatch(/unknown indicator "macd:3"/);
    expect(parseIndicators("vwap:3")).toMatch(/unknown indicator/);
    expect(parseIndicators("sma:2,sma:3,sma:4,sma:5,sma:6,sma:7,sma:8,sma:9,sma:10")).toMatch(/at most 8/);
  });
  it("computes each by key, never NaN; lookback is the longest window", () => {
    const specs = parseIndicators("sma:2,ema:2,vwap,bb:2:1") as Exclude<ReturnType<typeof parseIndicators>, string>;
    const out = computeIndicators(series([0, 10], [2, 20], [3, 30]), M, specs);
    expect(Object.keys(out)).toEqual(["sma:2", "ema:2", "vwap", "bb:2:1"]);
    expect(out["sma:2"]).toEqual([{ time: 120, value: 15 }, { time: 180, value: 25 }]);
    expect(allFinite(out)).toBe(true);
    expect(lookback(specs)).toBe(1);
    expect(lookback([{ kind: "vwap" }])).toBe(0);
  });
});

describe("chart settings", () => {
  const form = (entries: Array<[string, string]>) => {
    const f = new URLSearchParams(entries);
    return { get: (n: string) => f.get(n), getAll: (n: string) => f.getAll(n) };
  };
  it("reads stored settings, falling back field by field", () => {
    expect(readChartPrefs(null)).toEqual(DEFAULT_CHART_PREFS);
    expect(readChartPrefs({ sma: { on: true, period: 500 }, bb: { on: "yes", width: 2.5 }, vwap: { on: true } })).toEqual({
      ...DEFAULT_CHART_PREFS,
      sma: { on: true, period: 20 },
      bb: { on: false, period: 20, width: 2.5 },
      vwap: { on: true },
    });
  });
  it("a toggle flips one indicator and keeps its period", () => {
    const p = chartPrefsFromForm({ ...DEFAULT_CHART_PREFS, sma: { on: false, period: 30 } }, form([["toggle", "sma"]]));
    expect(p).toEqual({ ...DEFAULT_CHART_PREFS, sma: { on: true, period: 30 } });
    expect(chartPrefsFromForm(DEFAULT_CHART_PREFS, form([["toggle", "volume"]]))).toMatchObject({ volume: { on: false } });
    expect(chartPrefsFromForm(DEFAULT_CHART_PREFS, form([["toggle", "macd"]]))).toBe("unknown indicator macd");
  });
  it("the whole form replaces the settings, or names the bad field", () => {
    const p = chartPrefsFromForm(DEFAULT_CHART_PREFS, form([["on", "ema"], ["on", "bb"], ["emaPeriod", "9"], ["bbWidth", "1.5"]]));
    expect(p).toEqual({
      sma: { on: false, period: 20 },
      ema: { on: true, period: 9 },
      bb: { on: true, period: 20, width: 1.5 },
      vwap: { on: false },
      volume: { on: false },
    });
    expect(chartSpecs(p as never)).toEqual([{ kind: "ema", period: 9 }, { kind: "bb", period: 20, width: 1.5 }]);
    expect(chartPrefsFromForm(DEFAULT_CHART_PREFS, form([["smaPeriod", "1"]]))).toMatch(/SMA period .* not 1/);
    expect(chartPrefsFromForm(DEFAULT_CHART_PREFS, form([["bbWidth", "x"]]))).toMatch(/Bollinger width/);
  });
});
