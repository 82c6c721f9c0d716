import { expect, test } from "vitest";
import { resultKey } from "./differential";
import { OrderBook, ReferenceBook } from "./index";
import { RandomStream } from "./random-stream";
import type { OrderId } from "./types";

// The fast book keeps orders as rows of typed buffers that grow, and reuses the rows of closed
// orders. The other differential tests keep their books small (no growth); this one runs a book
// of thousands of open orders (rows, id table and side arrays grow several times, rows are
// reused thousands of times), clones it mid-stream, and checks the original and the clone
// against the reference book command by command.
test("a large book (growth, row reuse, clone mid-stream) agrees with the reference", () => {
  const config = { tickSize: 1, lotSize: 1 };
  const fast = new OrderBook<OrderId>(config);
  const ref = new ReferenceBook<OrderId>(config);
  const stream = new RandomStream(404, { config, targetSize: 200, ids: "mixed" });
  // A deep, quiet book away from the stream's prices (it trades around 100): 1,500 orders of 50
  // other players, numeric and string ids, so the rows and the id table grow several times.
  for (let n = 0; n < 1_500; n++) {
    const buy = n % 2 === 0;
    const command = {
      type: "place" as const,
      orderId: n % 3 === 0 ? `deep${n}` : 1_000_000_000 + n * 977,
      playerId: `deep${n % 50}`,
      side: buy ? ("buy" as const) : ("sell" as const),
      orderType: "limit" as const,
      price: buy ? 40 + (n % 37) : 160 + (n % 41),
      quantity: 1 + (n % 9),
    };
    expect(resultKey(fast.process(command))).toBe(resultKey(ref.process(command)));
  }
  let clone: OrderBook<OrderId> | null = null;
  let cloneRef: ReferenceBook<OrderId> | null = null;
  expect(fast.size()).toBe(1_500);
  for (let i = 0; i < 8_000; i++) {
    const command = stream.next(ref);
    const expected = resultKey(ref.process(command));
    expect(resultKey(fast.process(command))).toBe(expected);
    if (clone !== null && cloneRef !== null) {
      // The clone follows its own stream from the moment it was taken: same commands here, so
      // it must give the same results, and it never shares rows with the original.
      expect(resultKey(clone.process(command))).toBe(resultKey(cloneRef.process(command)));
    }
    if (i === 4_000) {
      clone = fast.clone();
      cloneRef = ReferenceBook.fromSnapshot(fast.snapshot());
      expect(clone.stateHash()).toBe(fast.stateHash());
      // Empty the clone's biggest player: the original must not notice.
      const before = fast.stateHash();
      const someone = "deep7";
      clone.process({ type: "cancelAll", playerId: someone });
      cloneRef.process({ type: "cancelAll", playerId: someone });
      expect(fast.stateHash()).toBe(before);
      expect(clone.stateHash()).toBe(cloneRef.stateHash());
    }
  }
  expect(fast.stateHash()).toBe(ref.stateHash());
  expect(clone?.stateHash()).toBe(cloneRef?.stateHash());
  expect(fast.nextExpiry()).toBe(ref.nextExpiry());
});
