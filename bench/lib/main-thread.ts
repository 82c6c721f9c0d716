/**
 * A page load's renderer main thread, from a Chromium trace (Lighthouse's, bench:web): the tasks'
 * wall time, the thread's own CPU time in them, and the blocking time the page would have if each
 * task took 4x its CPU time (Lighthouse's phone is 4x slower than the host).
 *
 * Lighthouse scores the wall time. On a host where the thread waits a lot inside its tasks (page
 * faults on a PVM guest, other processes, GC helpers), the wall time is several times the CPU time
 * and the score says more about the host than about the page. The CPU time says what the page's own
 * work costs (docs/PERFORMANCE.md, 2026-12-07 11:18).
 */

/** The fields of a trace event this reads. `tdur` is the thread's CPU time in the event, in us. */
export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface MainThread {
  /** Top-level tasks' wall time, ms. */
  wallMs: number;
  /** The thread's CPU time in those tasks, ms. */
  cpuMs: number;
  /** Tasks of more than 50 ms at 4x their CPU time: the part over 50 ms, summed, ms. */
  blockingAt4xCpuMs: number;
}

const TASK = new Set(["RunTask", "ThreadControllerImpl::RunTask"]);
const BLOCKING_MS = 50;

/** The page's main thread: the CrRendererMain thread with the most complete events (a trace also holds other renderers'). */
export function mainThreadTime(events: TraceEvent[]): MainThread {
  const count = new Map<string, number>();
  for (const e of events) if (e.ph === "X") count.set(`${e.pid}:${e.tid}`, (count.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const mains = events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`);
  const main = mains.sort((a, b) => (count.get(b) ?? 0) - (count.get(a) ?? 0))[0];
  const out: MainThread = { wallMs: 0, cpuMs: 0, blockingAt4xCpuMs: 0 };
  for (const e of events) {
    if (e.ph !== "X" || !TASK.has(e.name) || `${e.pid}:${e.tid}` !== main || e.dur === undefined) continue;
    const cpu = (e.tdur ?? 0) / 1000;
    out.wallMs += e.dur / 1000;
    out.cpuMs += cpu;
    out.blockingAt4xCpuMs += Math.max(0, 4 * cpu - BLOCKING_MS);
  }
  return out;
}
