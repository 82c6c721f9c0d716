import { describe, expect, test } from "vitest";
import { OrderBook, ReferenceBook, restoreBook, stateHash } from "./index";
import { RandomStream } from "./random-stream";
import { resultKey } from "./differential";
import type { Book, BookConfig, BookSnapshot, OrderId, OrderView } from "./types";

const config: BookConfig = { tickSize: 5, lotSize: 10 };

type AnyBook = Book<OrderId>;
type AnySnapshot = BookSnapshot<OrderId>;

const kinds: [string, (c: BookConfig) => AnyBook, (s: AnySnapshot) => AnyBook][] = [
  ["OrderBook", (c) => new OrderBook<OrderId>(c), (s) => restoreBook(s)],
  ["ReferenceBook", (c) => new ReferenceBook<OrderId>(c), (s) => ReferenceBook.fromSnapshot(s)],
];

describe.each(kinds)("%s snapshot / restore", (_name, make, restore) => {
  test("snapshot, restore, continue == never having snapshotted", () => {
    for (const seed of [11, 12, 13, 14]) {
      const straight = make(config);
      let restored = make(config);
      // Seed 14: numeric and string ids in one book (numbers survive the JSON round trip).
      const stream = new RandomStream(seed, { config, targetSize: 60, ids: seed === 14 ? "mixed" : "string" });
      for (let i = 0; i < 6_000; i++) {
        if (i % 1_000 === 500) {
          // Through JSON, as the room would store it.
          const snap = JSON.parse(JSON.stringify(restored.snapshot())) as AnySnapshot;
          restored = restore(snap);
          expect(restored.stateHash()).toBe(straight.stateHash());
        }
        const command = stream.next(straight);
        expect(resultKey(restored.process(command))).toBe(resultKey(straight.process(command)));
      }
      expect(restored.snapshot()).toEqual(straight.snapshot());
      expect(restored.nextExpiry()).toBe(straight.nextExpiry());
    }
  });

  test("a clone is independent: a tentative batch on it leaves the live book alone", () => {
    const live = make(config);
    const stream = new RandomStream(21, { config, targetSize: 60 });
    for (let i = 0; i < 2_000; i++) live.process(stream.next(live));
    const before = live.stateHash();
    const work = live.clone();
    const batch = Array.from({ length: 300 }, () => stream.next(work));
    const tentative = batch.map((c) => resultKey(work.process(c)));
    expect(live.stateHash()).toBe(before);
    // After the commit, the same commands on the live book give the same results (determinism).
    expect(batch.map((c) => resultKey(live.process(c)))).toEqual(tentative);
    expect(live.stateHash()).toBe(work.stateHash());
  });
});

test("the fast and the reference book restore each other's snapshots", () => {
  const fast = new OrderBook<OrderId>(config);
  const stream = new RandomStream(31, { config, targetSize: 60, ids: "mixed" });
  for (let i = 0; i < 3_000; i++) fast.process(stream.next(fast));
  const ref = ReferenceBook.fromSnapshot(fast.snapshot());
  expect(ref.stateHash()).toBe(fast.stateHash());
  expect(stateHash(ref.snapshot())).toBe(fast.stateHash());
  for (let i = 0; i < 3_000; i++) {
    const c = stream.next(fast);
    expect(resultKey(ref.process(c))).toBe(resultKey(fast.process(c)));
  }
  expect(ref.stateHash()).toBe(fast.stateHash());
});

test("restoring a malformed snapshot throws (not a hot path)", () => {
  const good = new OrderBook(config);
  good.process({ type: "place", orderId: "a", playerId: "p", side: "buy", orderType: "limit", price: 100, quantity: 10 });
  const snap = good.snapshot();
  expect(() => restoreBook({ ...snap, version: 2 } as unknown as BookSnapshot)).toThrow();
  expect(() => restoreBook({ ...snap, bids: [...snap.bids, ...snap.bids] })).toThrow(/twice/);
  expect(() => restoreBook({ ...snap, nextSeq: 1 })).toThrow();
  expect(() => restoreBook({ ...snap, asks: snap.bids })).toThrow(/wrong side/);
  for (const orderId of ["", "x".repeat(129), -1, 1.5]) {
    expect(() => restoreBook({ ...snap, bids: [{ ...(snap.bids[0] as OrderView), orderId: orderId as string }] })).toThrow(/bad order id/);
  }
  expect(restoreBook(snap).stateHash()).toBe(good.stateHash());
});
