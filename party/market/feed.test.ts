import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ServerMessage } from "../protocol";
import { Feed, FLUSH_MS } from "./feed";
import type { MarketSession, Published } from "./session";

const session = { stats: { snapshot: () => ({}) } } as unknown as MarketSession;
const batch = (price: number, at: number): Published => ({
  seq: 0, at, alerts: 0, orders: [],
  levels: [{ side: "buy", price, total: 1 } as Published["levels"][number]],
  fills: [],
});

describe("Feed: at most one update per 60 ms, the first without waiting", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("sends a quiet market's batch on the next turn, and coalesces what follows within 60 ms", () => {
    const sent: ServerMessage[] = [];
    const feed = new Feed(session, (m) => sent.push(m));
    feed.push(batch(10, Date.now()));
    feed.push(batch(11, Date.now())); // same turn: same update
    vi.advanceTimersByTime(0);
    expect(sent.map((m) => (m.type === "update" ? m.levels.length : -1))).toEqual([2]);

    vi.advanceTimersByTime(20);
    feed.push(batch(12, Date.now()));
    vi.advanceTimersByTime(FLUSH_MS - 20 - 1);
    expect(sent).toHaveLength(1); // 59 ms after the first update: still waiting
    feed.push(batch(13, Date.now()));
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.type === "update" && sent[1]!.levels.map((l) => l.price)).toEqual([12, 13]);
    expect(sent.map((m) => (m.type === "update" ? m.seq : 0))).toEqual([1, 2]);

    vi.advanceTimersByTime(500); // quiet again: the next one goes out at once
    feed.push(batch(14, Date.now()));
    vi.advanceTimersByTime(0);
    expect(sent).toHaveLength(3);
  });

  it("never sends more often than every 60 ms under a steady stream of batches", () => {
    const times: number[] = [];
    const feed = new Feed(session, () => times.push(Date.now()));
    for (let t = 0; t < 1_000; t += 7) {
      feed.push(batch(100 + (t % 13), Date.now()));
      vi.advanceTimersByTime(7);
    }
    vi.advanceTimersByTime(FLUSH_MS);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(FLUSH_MS);
    expect(times.length).toBeGreaterThanOrEqual(Math.floor(1_000 / (FLUSH_MS + 7)));
  });
});

describe("Feed: a timer that fires early by the room's clock (workerd, measured 2026-12-07)", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("waits the rest: updates stay FLUSH_MS apart by the clock the feed reads", () => {
    // In workerd a timer's deadline comes from a Date.now() that stood still through the turn that
    // set it, so it is due early by the time the feed later reads. Here the timers run on the
    // fake clock and, during each batch's turn, the feed reads 25 ms past it: a timer set then
    // fires 25 ms early by the feed's clock.
    let behind = 0;
    const clock = () => Date.now() + behind;
    const times: number[] = [];
    const feed = new Feed(session, () => times.push(clock()), [], clock);
    for (let turn = 0; turn < 100; turn++) {
      behind = 25;
      feed.push(batch(100 + (turn % 13), clock()));
      behind = 0;
      vi.advanceTimersByTime(25); // the timers' clock catches up: those due by now fire, early
      vi.advanceTimersByTime(5);
    }
    vi.advanceTimersByTime(FLUSH_MS * 2);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(FLUSH_MS);
    // Not starved either: the gaps stay well under two intervals.
    expect(Math.max(...gaps)).toBeLessThan(FLUSH_MS * 2);
  });
});

describe("Feed: holds an update back while the previous one is still being sent (ADR 041)", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("keeps coalescing while busy, and sends it all FLUSH_MS after resume()", () => {
    const sent: ServerMessage[] = [];
    let busy = false;
    const feed = new Feed(session, (m) => sent.push(m), [], Date.now, () => busy);
    feed.push(batch(10, Date.now()));
    vi.advanceTimersByTime(0);
    expect(sent).toHaveLength(1);
    busy = true; // the room is still sending update 1 to its sockets
    feed.push(batch(11, Date.now()));
    vi.advanceTimersByTime(FLUSH_MS * 5);
    feed.push(batch(12, Date.now()));
    vi.advanceTimersByTime(FLUSH_MS * 5);
    expect(sent).toHaveLength(1); // held back all along
    busy = false;
    feed.resume();
    vi.advanceTimersByTime(FLUSH_MS - 1);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.type === "update" && sent[1]!.levels.map((l) => l.price)).toEqual([11, 12]);
    expect(sent[1]!.type === "update" && sent[1]!.seq).toBe(2);
  });

  it("resume() with nothing held back sends nothing", () => {
    const sent: ServerMessage[] = [];
    const feed = new Feed(session, (m) => sent.push(m), [], Date.now, () => false);
    feed.resume();
    vi.advanceTimersByTime(FLUSH_MS * 2);
    expect(sent).toHaveLength(0);
  });

  it("a snapshot sends what is held back at once (the snapshot must equal the last update)", () => {
    const sent: ServerMessage[] = [];
    let busy = false;
    const snapSession = { stats: { snapshot: () => ({}) }, depth: { view: () => ({ bids: [], asks: [] }) }, config: { slug: "m" } } as unknown as MarketSession;
    const feed = new Feed(snapSession, (m) => sent.push(m), [], Date.now, () => busy);
    busy = true;
    feed.push(batch(10, Date.now()));
    vi.advanceTimersByTime(FLUSH_MS);
    expect(sent).toHaveLength(0);
    const snap = feed.snapshot();
    expect(sent).toHaveLength(1);
    expect(snap.type === "snapshot" && snap.seq).toBe(1);
    busy = false;
    feed.resume(); // nothing left to send
    vi.advanceTimersByTime(FLUSH_MS * 2);
    expect(sent).toHaveLength(1);
  });
});
