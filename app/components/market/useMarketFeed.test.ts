import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../../../party/protocol";
import { initialFeed, reduce, type FeedState } from "./useMarketFeed";

type Update = Extract<ServerMessage, { type: "update" }>;
const stats = { last: 100, open24h: 100, change: 0, high: 100, low: 100, volume: 1, trades: 1 };
const update = (seq: number, price: number, total: number): Update => ({ type: "update", seq, levels: [{ side: "buy", price, total }], trades: [], stats });
const live = (seq: number): FeedState => reduce(initialFeed(null), { type: "snapshot", m: { type: "snapshot", market: "m", seq, bids: [[100, 5]], asks: [], trades: [], stats } });

describe("the market page's feed: updates after a snapshot", () => {
  it("applies the next update", () => {
    const s = reduce(live(7), { type: "update", m: update(8, 101, 3) });
    expect(s.seq).toBe(8);
    expect(s.bids.get(101)).toBe(3);
    expect(s.connection).toBe("live");
  });

  it("ignores an update the snapshot already includes (a round still reaching its sockets, ADR 041)", () => {
    const before = live(7);
    const s = reduce(before, { type: "update", m: update(7, 101, 3) });
    expect(s).toBe(before);
    expect(s.bids.has(101)).toBe(false);
    expect(s.connection).toBe("live");
  });

  it("resyncs on a gap", () => {
    const s = reduce(live(7), { type: "update", m: update(9, 101, 3) });
    expect(s.connection).toBe("resyncing");
    expect(s.seq).toBe(7);
  });

  it("a page that painted from the database's book (seq -1) waits for the room's snapshot", () => {
    const s = reduce({ ...initialFeed(null), connection: "live" }, { type: "update", m: update(3, 101, 3) });
    expect(s.connection).toBe("resyncing");
  });
});
