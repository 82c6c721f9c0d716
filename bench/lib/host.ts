/**
 * What a bench's figures depend on besides the code: the CPU model and core count, the load
 * average, and what it costs this host to touch a fresh page of memory (a minor page fault).
 *
 * The last one is usually well under a microsecond, and was 11-15 us on the AMD EPYC VM of
 * 2026-12-06 (a paravirtualized one). A process that builds its memory as it starts (a fresh
 * browser laying out its first page, a new isolate) pays it on every page, so a page load or a
 * start-up takes several times longer on such a host with the same code, while a warm server, which
 * reuses its memory, hardly notices (docs/PERFORMANCE.md, 2026-12-06 10:30).
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import type { IntervalHistogram } from "node:perf_hooks";

const PAGE = 4096;

/** Microseconds to fault in one fresh page: the median of 3 passes over 64 MiB never touched before. */
export function pageFaultMicros(bytes = 64 << 20): number {
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const b = Buffer.allocUnsafeSlow(bytes); // large: its own mapping, pages not yet present
    const t0 = performance.now();
    for (let i = 0; i < b.length; i += PAGE) b[i] = 1;
    runs.push(((performance.now() - t0) * 1000) / (bytes / PAGE));
  }
  return runs.sort((a, b) => a - b)[1]!;
}

export function cpuModel(): string {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  } catch {
    return os.cpus()[0]?.model ?? "unknown";
  }
}

/** One line for a bench's header: CPU, cores, load average, and the page-fault cost. */
export function hostLine(): string {
  const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
  return `host: ${cpuModel()} x ${os.cpus().length}; load average ${load}; a fresh memory page costs ${pageFaultMicros().toFixed(2)} us to touch (usually well under 1)`;
}

/**
 * p99 of how late a process's event loop ran, in ms, from a histogram made with
 * `monitorEventLoopDelay({ resolution: 10 })`: its samples include the 10 ms resolution itself
 * (an idle loop reads about 10.3), which this takes off.
 */
export function loopDelayP99(h: IntervalHistogram, resolutionMs = 10): number {
  return Math.max(0, h.percentile(99) / 1e6 - resolutionMs);
}
