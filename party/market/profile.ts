/**
 * Where a market batch's time goes: each committed (or failed) batch records its phases in
 * milliseconds, and `take()` summarizes and resets them (bench:market reads it once per step
 * through the room's service-only `GET ?profile`). Pure and cheap: a few numbers per batch.
 *
 * Phases, in order: queued (the oldest command's wait for its batch), begin (until the transaction
 * callback runs: BEGIN's round trip and the pool), lookup (idempotency read), lock (wallets),
 * plan (the engine and settlement, no I/O), rows (orders, fills, candles: one statement), ledger
 * (postings and events), commit (COMMIT's round trip), publish (answers and the feed after COMMIT).
 */
/**
 * Milliseconds for timing. partykit's workerd has no performance.now, and a Worker's clocks only
 * move across I/O (a Spectre mitigation): there, CPU-only phases (plan) read as 0 and their time
 * lands in the next phase that waits on I/O. Under Node (tests, the history) they are exact.
 */
export const clockMs: () => number =
  typeof performance !== "undefined" && typeof performance.now === "function" ? () => performance.now() : () => Date.now();

export const PHASES = ["queued", "begin", "read", "plan", "write", "commit", "publish"] as const;
export type Phase = (typeof PHASES)[number];

export interface BatchTiming {
  size: number;
  ms: Record<Phase, number>;
  /** Planned on remembered amounts and settled in one statement (ADR 042). */
  guessed?: boolean;
}

export interface Stat {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export interface ProfileSummary {
  batches: number;
  size: Stat;
  /** The wall time of a batch from its first command's arrival to its answers. */
  total: Stat;
  phases: Record<Phase, Stat>;
  /** Batches settled in one statement on remembered amounts, and guesses that missed (planned again on a read). */
  guessed: number;
  misses: number;
}

/** The most recent batches kept between reads (a room nobody profiles holds at most this many, ~1 MB). */
const MAX_KEPT = 5_000;

function stat(xs: number[]): Stat {
  if (xs.length === 0) return { mean: 0, p50: 0, p99: 0, max: 0 };
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { mean: sorted.reduce((s, x) => s + x, 0) / sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! };
}

export class BatchProfile {
  private kept: BatchTiming[] = [];
  private next = 0;
  private misses = 0;

  /** A batch planned on remembered amounts did not settle (ADR 042). */
  miss(): void {
    this.misses++;
  }

  /** Keeps the last MAX_KEPT batches (a ring: the oldest is overwritten). */
  record(t: BatchTiming): void {
    if (this.kept.length < MAX_KEPT) this.kept.push(t);
    else this.kept[this.next] = t;
    this.next = (this.next + 1) % MAX_KEPT;
  }

  /** The summary since the last take, and a fresh start. */
  take(): ProfileSummary {
    const kept = this.kept;
    const misses = this.misses;
    this.kept = [];
    this.next = 0;
    this.misses = 0;
    const phases = Object.fromEntries(PHASES.map((p) => [p, stat(kept.map((k) => k.ms[p]))])) as Record<Phase, Stat>;
    const total = stat(kept.map((k) => PHASES.reduce((s, p) => s + k.ms[p], 0)));
    return { batches: kept.length, size: stat(kept.map((k) => k.size)), total, phases, guessed: kept.filter((k) => k.guessed).length, misses };
  }
}

/** Marks phases as they end: `lap("read")` charges the time since the previous lap to read. */
export function stopwatch(now: () => number = clockMs) {
  const ms = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  let last = now();
  let done: Phase | undefined;
  return {
    ms,
    /** The last phase that ended (undefined: none yet this batch). */
    get done() {
      return done;
    },
    lap(phase: Phase) {
      const t = now();
      ms[phase] += t - last;
      last = t;
      done = phase;
    },
    /** Starts the next lap from now without charging anyone (time already charged elsewhere). */
    reset() {
      last = now();
    },
  };
}
