import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Shared helpers for micro-benchmarks: timing, percentiles, GC between phases, tables. */

setFlagsFromString("--expose-gc");
const gcFn = runInNewContext("gc") as (() => void) | undefined;

/** Collect garbage between phases so one phase does not pay for the previous one. */
export function collectGarbage(): void {
  if (typeof gcFn === "function") {
    gcFn();
    gcFn();
  }
}

export interface Percentiles {
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Percentiles of samples in nanoseconds (sorts the array in place). */
export function percentiles(ns: Float64Array): Percentiles {
  ns.sort();
  const at = (q: number) => ns[Math.min(ns.length - 1, Math.floor(q * ns.length))] as number;
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: ns[ns.length - 1] as number };
}

/**
 * What one latency sample costs by itself: two performance.now() calls back to back with nothing
 * in between. Every per-command latency below includes roughly this much.
 */
export function timerOverhead(samples = 1_000_000): Percentiles {
  const ns = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    ns[i] = (performance.now() - t0) * 1e6;
  }
  return percentiles(ns);
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function fmtUs(ns: number): string {
  const us = ns / 1000;
  return us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const sep = `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), sep, ...rows.map(line)].join("\n");
}
