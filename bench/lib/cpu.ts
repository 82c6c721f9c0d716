/**
 * CPU seconds per process, read from /proc (Linux only; elsewhere every figure is NaN): what a
 * bench's parts (the room's workerd, partykit's node, the proxy, Postgres, the load generator
 * itself) spent during a step, so that a slower step can be put down to the part that used the cores.
 */
import { readdirSync, readFileSync } from "node:fs";

const HZ = 100; // USER_HZ: Linux reports utime/stime in 1/100 s

export interface Proc {
  pid: number;
  comm: string;
  pgid: number;
  /** Seconds: user + system, its own and its reaped children's (a Postgres backend that ended is in the postmaster's). */
  cpu: number;
  cmdline: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const f = stat.slice(close + 2).split(" "); // f[0] = state (field 3)
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    // utime, stime, cutime, cstime: fields 14-17 of /proc/<pid>/stat.
    return { pid, comm, pgid: Number(f[2]), cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / HZ, cmdline };
  } catch {
    return undefined; // gone, or not Linux
  }
}

function allProcs(): Proc[] {
  let pids: number[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return [];
  }
  return pids.map(readProc).filter((p): p is Proc => p !== undefined);
}

/**
 * The parts every room bench meters: the rooms' workerd and partykit's node (the process group of
 * `partykit dev`, `roomGroup`), the WebSocket proxy, every Postgres process, and this bench.
 */
export function roomBenchParts(roomGroup: number | undefined): Record<string, (p: Proc) => boolean> {
  return {
    workerd: (p) => p.pgid === roomGroup && p.comm === "workerd",
    partykit: (p) => p.pgid === roomGroup,
    proxy: (p) => p.cmdline.includes("ws-proxy.ts"),
    postgres: (p) => p.comm.startsWith("postgres"),
    bench: (p) => p.pid === process.pid,
  };
}

/**
 * Named groups of processes; `take()` gives each group's CPU seconds since the last take(). Groups
 * are tried in order; a process counts in the first that matches. A process that ended during a
 * window counts through its parent's reaped time, whole (its time before the window too): close
 * enough for steps of tens of seconds and connections that live longer.
 */
export class CpuMeter {
  private last = new Map<number, number>();
  /** The first take() only sets the baseline. */
  private primed = false;
  constructor(private readonly groups: Record<string, (p: Proc) => boolean>) {}

  /**
   * CPU seconds per group since the last take(). A process not seen at the last take() started
   * since, and counts whole: a pooler opens Postgres backends mid-step, and missing them read
   * Postgres at a fraction of its use (docs/PERFORMANCE.md, 2026-12-06 22:30).
   */
  take(): Record<string, number> {
    const now = new Map<number, number>();
    const out: Record<string, number> = Object.fromEntries(Object.keys(this.groups).map((k) => [k, 0]));
    for (const p of allProcs()) {
      for (const [name, match] of Object.entries(this.groups)) {
        if (!match(p)) continue;
        now.set(p.pid, p.cpu);
        out[name]! += p.cpu - (this.last.get(p.pid) ?? (this.primed ? 0 : p.cpu));
        break;
      }
    }
    this.last = now;
    this.primed = true;
    return out;
  }
}

/**
 * The whole box's CPU: `take()` gives the share of all cores that was busy (not idle or waiting on
 * I/O) since the last take(), from /proc/stat's first line (NaN where there is none).
 */
export class BoxMeter {
  private last = BoxMeter.read();

  private static read(): { busy: number; total: number } | undefined {
    try {
      const [, ...f] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/);
      const n = f.map(Number); // user nice system idle iowait irq softirq steal ...
      const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
      return { busy: total - n[3]! - n[4]!, total };
    } catch {
      return undefined;
    }
  }

  take(): number {
    const now = BoxMeter.read();
    const was = this.last;
    this.last = now;
    if (!now || !was || now.total === was.total) return NaN;
    return (now.busy - was.busy) / (now.total - was.total);
  }
}
