/**
 * The market-data feed of a room: coalesces committed batches into one update every ~60 ms,
 * numbers updates so clients can spot a gap, and keeps the last trades for snapshots.
 */
import type { LevelEvent } from "../engine";
import { toTrade, type ServerMessage, type Trade } from "../protocol";
import type { Published } from "./session";
import type { MarketSession } from "./session";

export const FLUSH_MS = 60;

export class Feed {
  /** Sequence of the last update sent; a snapshot carries it. */
  seq = 0;
  private levels = new Map<string, LevelEvent>();
  private trades: Trade[] = [];
  private readonly recent: Trade[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly session: MarketSession,
    private readonly send: (message: ServerMessage) => void,
    recent: Trade[] = [],
  ) {
    this.recent.push(...recent.slice(-50));
  }

  push(p: Published): void {
    for (const l of p.levels) this.levels.set(`${l.side}:${l.price}`, l);
    const trades = p.fills.map((f) => toTrade(f, p.at));
    this.trades.push(...trades);
    this.recent.push(...trades);
    if (this.recent.length > 50) this.recent.splice(0, this.recent.length - 50);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Send what is pending now (also before a snapshot, so the snapshot equals the last update). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.levels.size === 0 && this.trades.length === 0) return;
    this.seq++;
    const levels = [...this.levels.values()].map(({ side, price, total }) => ({ side, price, total }));
    this.send({ type: "update", seq: this.seq, levels, trades: this.trades, stats: this.session.stats.snapshot(Date.now()) });
    this.levels = new Map();
    this.trades = [];
  }

  snapshot(depth = 50): ServerMessage {
    this.flush();
    const view = this.session.depth.view(depth);
    return {
      type: "snapshot", market: this.session.config.slug, seq: this.seq, bids: view.bids, asks: view.asks,
      trades: [...this.recent].reverse(), stats: this.session.stats.snapshot(Date.now()),
    };
  }
}
