/**
 * A relay's watchers see what the market room's own watchers see: a randomized feed from a market
 * room (levels come, change and go; trades; stats), re-sent by a relay that merges at random
 * moments, watched by clients running the market page's reducer. A client that joined the relay
 * late, from its snapshot, ends with the same book; gaps are told apart from stale updates.
 */
import { describe, expect, it } from "vitest";
import { initialFeed, reduce, type FeedState } from "../../app/components/market/useMarketFeed";
import type { MarketStats } from "../market/stats";
import type { Trade } from "../protocol";
import { RelayBook, type Snapshot, type Update } from "./book";
import { PendingUpdate } from "./pending";

const stats = (n: number): MarketStats => ({ last: 100 + (n % 7), open24h: 100, change: n % 7, high: 110, low: 90, volume: n * 3, trades: n });
function prng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** The market room's stream: a snapshot at seq 0, then `n` updates. */
function roomStream(n: number, rand: () => number): { snapshot: Snapshot; updates: Update[] } {
  const snapshot: Snapshot = { type: "snapshot", market: "iron-ore", seq: 0, bids: [[99, 5], [98, 2]], asks: [[101, 4]], trades: [], stats: stats(0) };
  const updates: Update[] = [];
  let tradeSeq = 0;
  for (let seq = 1; seq <= n; seq++) {
    const levels: Update["levels"] = [];
    for (let k = Math.floor(rand() * 4); k >= 0; k--) {
      const buy = rand() < 0.5;
      levels.push({ side: buy ? "buy" : "sell", price: buy ? 90 + Math.floor(rand() * 10) : 101 + Math.floor(rand() * 10), total: rand() < 0.3 ? 0 : 1 + Math.floor(rand() * 20) });
    }
    const trades: Trade[] = Array.from({ length: Math.floor(rand() * 3) }, () => ({ seq: ++tradeSeq, price: 100, quantity: 1, takerSide: "buy" as const, at: seq }));
    updates.push({ type: "update", seq, levels, trades, stats: stats(seq) });
  }
  return { snapshot, updates };
}

const view = (s: FeedState) => ({ seq: s.seq, connection: s.connection, bids: [...s.bids].sort(), asks: [...s.asks].sort(), trades: s.trades.slice(0, 50), stats: s.stats });
const watch = (start: Snapshot, messages: Array<Snapshot | Update>) =>
  messages.reduce((s, m) => reduce(s, m.type === "snapshot" ? { type: "snapshot", m } : { type: "update", m }), reduce(initialFeed(null), { type: "snapshot", m: start }));

describe("relay rooms (ADR 045)", () => {
  it("merged at random moments, the relay's watchers end with the room's watchers' book, late joiners too", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = prng(seed);
      const { snapshot, updates } = roomStream(200, rand);
      const direct = watch(snapshot, updates);

      const book = new RelayBook();
      const pending = new PendingUpdate();
      expect(book.apply(snapshot)).toBe("applied");
      const early = book.snapshot()!;
      const sent: Update[] = [];
      let late: { snapshot: Snapshot; from: number } | undefined;
      for (const u of updates) {
        expect(book.apply(u)).toBe("applied");
        pending.add(u);
        if (rand() < 0.3) sent.push(pending.take()!);
        if (!late && u.seq === 120) late = { snapshot: book.snapshot()!, from: sent.length };
      }
      if (!pending.empty) sent.push(pending.take()!);
      expect(sent.some((u) => u.first !== undefined)).toBe(true);

      const viaRelay = watch(early, sent);
      expect(view(viaRelay)).toEqual(view(direct));
      // Joined at seq 120: its snapshot, then every round after it (a merged one it already has is ignored).
      const joined = watch(late!.snapshot, sent.slice(late!.from));
      expect(view(joined)).toEqual({ ...view(direct), trades: view(joined).trades });
      expect(view(joined).trades).toEqual(view(direct).trades.slice(0, view(joined).trades.length));
      // The relay's own snapshot at the end is the room's book.
      const end = book.snapshot()!;
      expect(end.seq).toBe(200);
      expect(new Map(end.bids)).toEqual(direct.bids);
      expect(new Map(end.asks)).toEqual(direct.asks);
    }
  });

  it("tells a stale update from a gap; a watcher that misses a merged update resyncs", () => {
    const { snapshot, updates } = roomStream(6, prng(9));
    const book = new RelayBook();
    expect(book.apply(updates[0]!)).toBe("gap"); // nothing before the first snapshot
    book.apply(snapshot);
    expect(book.apply(updates[0]!)).toBe("applied");
    expect(book.apply(updates[0]!)).toBe("stale");
    expect(book.apply(updates[2]!)).toBe("gap");
    expect(book.seq).toBe(1);

    const pending = new PendingUpdate();
    for (const u of updates.slice(1, 4)) pending.add(u);
    const merged = pending.take()!;
    expect([merged.first, merged.seq]).toEqual([2, 4]);
    expect(pending.take()).toBeUndefined();
    // A client at seq 0 missed 1: the merged 2..4 is a gap for it.
    expect(watch(snapshot, [merged]).connection).toBe("resyncing");
    expect(watch(snapshot, [updates[0]!, merged]).seq).toBe(4);
  });
});
