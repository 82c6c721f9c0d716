/**
 * The updates a relay room has received but not yet sent (ADR 045). While its watchers are still
 * getting the previous round, the market room's next updates are merged into one: each level's
 * last total, every trade in order, the last stats, and the seqs it spans (`first`..`seq`), so a
 * watcher that had `first - 1` applies it as if it had got them one by one. Pure.
 */
import type { Update } from "./book";

export class PendingUpdate {
  private first = 0;
  private seq = 0;
  private levels = new Map<string, Update["levels"][number]>();
  private trades: Update["trades"] = [];
  private stats: Update["stats"] | undefined;
  private count = 0;

  get empty(): boolean {
    return this.count === 0;
  }

  /** The next update in order (the caller checked it follows the last one). */
  add(u: Update): void {
    if (this.count === 0) this.first = u.first ?? u.seq;
    this.count++;
    this.seq = u.seq;
    for (const l of u.levels) this.levels.set(`${l.side}:${l.price}`, l);
    this.trades.push(...u.trades);
    this.stats = u.stats;
  }

  /** One update for everything added since the last take (undefined when nothing was). */
  take(): Update | undefined {
    if (this.count === 0 || !this.stats) return undefined;
    const merged: Update = { type: "update", seq: this.seq, ...(this.first !== this.seq ? { first: this.first } : {}), levels: [...this.levels.values()], trades: this.trades, stats: this.stats };
    this.clear();
    return merged;
  }

  clear(): void {
    this.count = 0;
    this.levels = new Map();
    this.trades = [];
    this.stats = undefined;
  }
}
