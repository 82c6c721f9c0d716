/**
 * bench/lib/cpu.ts: a process that starts after the meter's last reading counts whole (a pooler
 * opens Postgres backends mid-step), and one that ended is counted in its parent's reaped time.
 */
import { spawn } from "node:child_process";
import { expect, it } from "vitest";
import { CpuMeter } from "../../bench/lib/cpu";

/** A child that burns `ms` of its own CPU time (not wall time), then lingers or exits. */
function burner(tag: string, ms: number, lingerMs: number) {
  const code = `const end = ${ms} * 1000; while (process.cpuUsage().user < end) {} setTimeout(() => {}, ${lingerMs}); // ${tag}`;
  return spawn(process.execPath, ["-e", code], { stdio: "ignore" });
}

it("counts a process that started after the last reading, from zero", async () => {
  const tag = `cpu-meter-${process.pid}-alive`;
  const meter = new CpuMeter({ burner: (p) => p.cmdline.includes(tag) });
  meter.take();
  const child = burner(tag, 300, 60_000);
  try {
    // Wait until it has burnt its CPU (read through the meter's own view of /proc).
    const probe = new CpuMeter({ burner: (p) => p.cmdline.includes(tag) });
    probe.take();
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const seen = probe.take().burner!;
      if (i > 3 && seen === 0) break; // idle now: its loop is done
    }
    expect(meter.take().burner).toBeGreaterThanOrEqual(0.25);
  } finally {
    child.kill();
  }
}, 30_000);

it("counts a child that ended in its parent's reaped time", async () => {
  const tag = `cpu-meter-${process.pid}-parent`;
  // A parent that runs a burning child to its end, then waits: the child's CPU is in its cutime.
  const code = `const { spawnSync } = require("node:child_process"); spawnSync(process.execPath, ["-e", "while (process.cpuUsage().user < 300000) {}"]); setTimeout(() => {}, 60000); // ${tag}`;
  const meter = new CpuMeter({ parent: (p) => p.cmdline.includes(tag) });
  meter.take();
  const parent = spawn(process.execPath, ["-e", code], { stdio: "ignore" });
  try {
    let total = 0;
    for (let i = 0; i < 100 && total < 0.25; i++) {
      await new Promise((r) => setTimeout(r, 100));
      total += meter.take().parent!;
    }
    expect(total).toBeGreaterThanOrEqual(0.25);
  } finally {
    parent.kill();
  }
}, 30_000);
