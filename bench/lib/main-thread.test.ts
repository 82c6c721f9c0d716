import { describe, expect, it } from "vitest";
import { mainThreadTime, type TraceEvent } from "./main-thread";

const thread = (pid: number, tid: number, name: string): TraceEvent => ({ name: "thread_name", ph: "M", pid, tid, args: { name } });
const task = (pid: number, tid: number, durMs: number, cpuMs: number, name = "RunTask"): TraceEvent => ({ name, ph: "X", pid, tid, dur: durMs * 1000, tdur: cpuMs * 1000 });

describe("mainThreadTime", () => {
  it("sums the page's main-thread tasks: wall, CPU, and blocking at 4x the CPU", () => {
    const events = [
      thread(1, 1, "CrRendererMain"),
      thread(1, 2, "Compositor"),
      task(1, 1, 40, 10), // 4x10 = 40: not blocking
      task(1, 1, 80, 20), // 4x20 = 80: 30 blocking
      task(1, 1, 30, 30, "ThreadControllerImpl::RunTask"), // 120: 70 blocking
      { name: "Layout", ph: "X", pid: 1, tid: 1, dur: 5_000, tdur: 5_000 }, // inside a task: not counted again
      task(1, 2, 500, 500), // another thread
    ];
    const m = mainThreadTime(events);
    expect(m.wallMs).toBe(150);
    expect(m.cpuMs).toBe(60);
    expect(m.blockingAt4xCpuMs).toBe(100);
  });

  it("takes the renderer main thread with the most events (an extension's or a blank page's has fewer)", () => {
    const events = [thread(1, 1, "CrRendererMain"), thread(2, 7, "CrRendererMain"), task(1, 1, 100, 100), task(2, 7, 10, 5), task(2, 7, 10, 5)];
    expect(mainThreadTime(events)).toEqual({ wallMs: 20, cpuMs: 10, blockingAt4xCpuMs: 0 });
  });

  it("a trace without a renderer main thread is zero", () => {
    expect(mainThreadTime([task(1, 1, 100, 100)])).toEqual({ wallMs: 0, cpuMs: 0, blockingAt4xCpuMs: 0 });
  });
});
