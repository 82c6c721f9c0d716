/**
 * The market-data feed of a room: coalesces committed batches into at most one update every
 * 60 ms, numbers updates so clients can spot a gap, and keeps the last trades for snapshots.
 * Leading edge: a batch committed when the last update is 60 ms old or more goes out at once (on
 * the next turn of the event loop, so batches settled in the same turn share it); otherwise it
 * waits for the 60 ms to pass. Watchers get at most ~16 updates a second either way, and a quiet
 * market's trade is not held back a whole interval.
 * While the room is still sending the previous update to its sockets (`busy`, party/market/fanout.ts)
 * the next one is held back and keeps coalescing; `resume()` lets it go 60 ms after that round
 * ended. With many watchers the update rate thus falls to what the room can send (ADR 041).
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
  /** When the last update went out (epoch ms), or when its fan-out ended if that took long. */
  private lastFlush = Number.NEGATIVE_INFINITY;
  /** An update is due but the previous one is still being sent. */
  private held = false;

  constructor(
    private readonly session: MarketSession,
    private readonly send: (message: ServerMessage) => void,
    recent: Trade[] = [],
    private readonly now: () => number = Date.now,
    private readonly busy: () => boolean = () => false,
    /** The least time between two updates (ROOM_FEED_FLUSH_MS; default FLUSH_MS). */
    private readonly flushMs: number = FLUSH_MS,
  ) {
    this.recent.push(...recent.slice(-50));
  }

  push(p: Published): void {
    for (const l of p.levels) this.levels.set(`${l.side}:${l.price}`, l);
    const trades = p.fills.map((f) => toTrade(f, p.at));
    this.trades.push(...trades);
    this.recent.push(...trades);
    if (this.recent.length > 50) this.recent.splice(0, this.recent.length - 50);
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      // workerd can fire a timer early by the clock. It sets a timer's deadline from Date.now()
      // (io-context.c++, "so that the delay appears exact"), and in a room Date.now() moves only
      // when an event is delivered: late in a long turn it is behind, so the deadline is early.
      // Measured 2026-12-07: with 1,000 watchers a 29 ms timer fired 6 ms later by Date.now(), and
      // the room sent 20.8 updates a second instead of at most 16.7 (docs/PERFORMANCE.md).
      // Early: wait the rest.
      if (this.now() < this.lastFlush + this.flushMs) return this.schedule();
      if (this.busy()) this.held = true;
      else this.flush();
    }, Math.max(0, this.lastFlush + this.flushMs - this.now()));
  }

  /** The previous update reached every socket: a held-back one goes out FLUSH_MS from now. */
  resume(): void {
    if (!this.held) return;
    this.held = false;
    this.lastFlush = this.now();
    this.schedule();
  }

  /** Send what is pending now (also before a snapshot, so the snapshot equals the last update). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.held = false;
    if (this.levels.size === 0 && this.trades.length === 0) return;
    this.lastFlush = this.now();
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
