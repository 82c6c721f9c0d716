/**
 * A relay room's copy of its market's public feed (ADR 045): the room's snapshot, then its updates
 * in order. It answers each new watcher with a snapshot of its own, and it says when an update does
 * not follow the last one (the relay then asks the market room to resync). Pure: no sockets here.
 */
import { applyLevels, newTrades } from "../market/depth";
import type { MarketStats } from "../market/stats";
import type { ServerMessage, Trade } from "../protocol";

export type Snapshot = Extract<ServerMessage, { type: "snapshot" }>;
export type Update = Extract<ServerMessage, { type: "update" }>;

/** Levels per side and trades a snapshot carries, as the market room's. */
const DEPTH = 50;
const TRADES = 50;

export class RelayBook {
  market = "";
  /** The last update's seq (-1 before the first snapshot). */
  seq = -1;
  private bids = new Map<number, number>();
  private asks = new Map<number, number>();
  /** Newest first. */
  private trades: Trade[] = [];
  private stats: MarketStats | undefined;

  get known(): boolean {
    return this.stats !== undefined;
  }

  /** "applied"; "stale" (already in the book: ignored); "gap" (updates are missing: resync). */
  apply(m: Snapshot | Update): "applied" | "stale" | "gap" {
    if (m.type === "snapshot") {
      this.market = m.market;
      this.seq = m.seq;
      this.bids = new Map(m.bids);
      this.asks = new Map(m.asks);
      this.trades = [...m.trades].sort((a, b) => b.seq - a.seq).slice(0, TRADES);
      this.stats = m.stats;
      return "applied";
    }
    if (!this.known) return "gap";
    if (m.seq <= this.seq) return "stale";
    // As the market page applies them (app/components/market/useMarketFeed.ts): a merged update
    // that starts at or before this seq is fine, one that starts after the next is a gap.
    if ((m.first ?? m.seq) > this.seq + 1) return "gap";
    applyLevels(this.bids, this.asks, m.levels);
    this.trades = newTrades(this.trades, m.trades, TRADES);
    this.seq = m.seq;
    this.stats = m.stats;
    return "applied";
  }

  /** The book as the market room would snapshot it now (undefined before the first snapshot). */
  snapshot(): Snapshot | undefined {
    if (!this.stats) return undefined;
    return {
      type: "snapshot", market: this.market, seq: this.seq,
      bids: [...this.bids].sort((a, b) => b[0] - a[0]).slice(0, DEPTH),
      asks: [...this.asks].sort((a, b) => a[0] - b[0]).slice(0, DEPTH),
      trades: [...this.trades], stats: this.stats,
    };
  }
}
