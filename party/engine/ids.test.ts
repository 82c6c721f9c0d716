import { expect, test } from "vitest";
import { OrderBook, ReferenceBook, ResultCode } from "./index";
import { Rng } from "./random-stream";
import { hashId } from "./slot-index";
import type { OrderId } from "./types";

// Numeric order ids go through the fast book's own integer table (growth, collisions, deletion by
// backward shift); the differential tests keep their books small, so this one grows the table.

test("numeric ids: a large book of places and cancels agrees with a plain Map, and with the reference", () => {
  const book = new OrderBook<number>({ tickSize: 1, lotSize: 1 });
  const rng = new Rng(77);
  const open = new Map<number, string>();
  const ever: number[] = [];
  const shapes = [(n: number) => n, (n: number) => n * 1024, (n: number) => 2 ** 40 + n * 65_536, (n: number) => Number.MAX_SAFE_INTEGER - n * 3];
  for (let n = 0; n < 60_000; n++) {
    if (open.size > 0 && rng.chance(0.45)) {
      const id = ever[rng.int(0, ever.length - 1)] as number;
      const owner = open.get(id);
      const r = book.process({ type: "cancel", orderId: id, playerId: owner ?? "p0" });
      expect(r.code).toBe(owner === undefined ? ResultCode.ORDER_NOT_FOUND : ResultCode.OK);
      open.delete(id);
    } else {
      const id = (shapes[n % 4] as (n: number) => number)(n);
      const playerId = `p${rng.int(0, 9)}`;
      // Bids only: nothing trades, every place rests.
      const r = book.process({ type: "place", orderId: id, playerId, side: "buy", orderType: "limit", price: rng.int(1, 300), quantity: rng.int(1, 9) });
      expect(r.resting).toBe(true);
      open.set(id, playerId);
      ever.push(id);
    }
  }
  expect(book.size()).toBe(open.size);
  for (const id of ever) expect(book.getOrder(id)?.playerId).toBe(open.get(id));
  expect(book.process({ type: "place", orderId: ever.find((id) => open.has(id)) as number, playerId: "p1", side: "buy", orderType: "limit", price: 5, quantity: 1 }).code).toBe(
    ResultCode.DUPLICATE_ORDER_ID,
  );
  const ref = ReferenceBook.fromSnapshot(book.snapshot());
  expect(ref.stateHash()).toBe(book.stateHash());
  expect(book.clone().stateHash()).toBe(book.stateHash());
  // cancelAll empties the table as well.
  for (let p = 0; p < 10; p++) book.process({ type: "cancelAll", playerId: `p${p}` });
  expect(book.size()).toBe(0);
  for (const id of ever) expect(book.getOrder(id)).toBeUndefined();
});

test('"7" and 7 are different orders; bad numeric ids are rejected', () => {
  const book = new OrderBook<OrderId>({ tickSize: 1, lotSize: 1 });
  const place = (orderId: OrderId) => book.process({ type: "place", orderId, playerId: "ann", side: "buy", orderType: "limit", price: 10, quantity: 1 });
  expect(place("7").code).toBe(ResultCode.OK);
  expect(place(7).code).toBe(ResultCode.OK);
  expect(place(0).code).toBe(ResultCode.OK);
  expect(book.size()).toBe(3);
  expect(book.getOrder(7)?.orderId).toBe(7);
  expect(book.getOrder("7")?.orderId).toBe("7");
  for (const bad of [-1, 1.5, 2 ** 53, NaN, Infinity]) expect(place(bad).code).toBe(ResultCode.INVALID_ORDER_ID);
  expect(book.process({ type: "cancel", orderId: -1, playerId: "ann" }).code).toBe(ResultCode.INVALID_ORDER_ID);
  const r = book.process({ type: "cancel", orderId: 7, playerId: "ann" });
  expect(r.events[0]).toEqual({ type: "canceled", orderId: 7, playerId: "ann", side: "buy", price: 10, remaining: 1, reason: "user" });
  expect(book.getOrder("7")).toBeDefined();
  expect(book.stateHash()).not.toBe(new OrderBook<OrderId>({ tickSize: 1, lotSize: 1 }).stateHash());
});

// String ids go through the string table (slot-index.ts): a hash of the characters, and the key
// compared only when hashes agree. Ids that differ in one character, ids that are prefixes of
// each other, UUIDs, non-ASCII ids, and ids built at runtime (equal content, another object)
// must all find their own order, through growth and deletion by backward shift.
test("string ids: a large book of places and cancels agrees with a plain Map", () => {
  const book = new OrderBook<string>({ tickSize: 1, lotSize: 1 });
  const rng = new Rng(91);
  const open = new Map<string, string>();
  const ever: string[] = [];
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
  const shapes = [
    (n: number) => `o${n}`,
    (n: number) => `${hex(Math.imul(n, 0x9e3779b1))}-${hex(n).slice(0, 4)}-4abc-8def-${hex(n * 7)}${hex(n)}`.slice(0, 36),
    (n: number) => "a".repeat(1 + (n % 120)) + String(n % 7),
    (n: number) => `ордер-${n}-注文`,
  ];
  for (let n = 0; n < 40_000; n++) {
    if (open.size > 0 && rng.chance(0.45)) {
      const id = ever[rng.int(0, ever.length - 1)] as string;
      const owner = open.get(id);
      // Another string object with the same characters.
      const same = id.split("").join("");
      const r = book.process({ type: "cancel", orderId: same, playerId: owner ?? "p0" });
      expect(r.code).toBe(owner === undefined ? ResultCode.ORDER_NOT_FOUND : ResultCode.OK);
      open.delete(id);
    } else {
      const id = (shapes[n % 4] as (n: number) => string)(n);
      if (open.has(id)) {
        expect(book.process({ type: "place", orderId: id, playerId: "p1", side: "buy", orderType: "limit", price: 5, quantity: 1 }).code).toBe(
          ResultCode.DUPLICATE_ORDER_ID,
        );
        continue;
      }
      const playerId = `p${rng.int(0, 9)}`;
      const r = book.process({ type: "place", orderId: id, playerId, side: "buy", orderType: "limit", price: rng.int(1, 300), quantity: rng.int(1, 9) });
      expect(r.code).toBe(ResultCode.OK);
      open.set(id, playerId);
      ever.push(id);
    }
  }
  expect(book.size()).toBe(open.size);
  for (const id of ever) expect(book.getOrder(id)?.playerId).toBe(open.get(id));
  expect(book.getOrder("x".repeat(129))).toBeUndefined();
  expect(ReferenceBook.fromSnapshot(book.snapshot()).stateHash()).toBe(book.stateHash());
  const copy = book.clone();
  for (let p = 0; p < 10; p++) book.process({ type: "cancelAll", playerId: `p${p}` });
  expect(book.size()).toBe(0);
  for (const id of ever) expect(book.getOrder(id)).toBeUndefined();
  // The clone kept its own table.
  expect(copy.size()).toBe(open.size);
  for (const id of open.keys()) expect(copy.getOrder(id)?.playerId).toBe(open.get(id));
});

test("string ids whose hashes collide are still different orders", () => {
  // Birthday search for two ids with the same 31-bit hash (a few hundred thousand tries).
  const seen = new Map<number, string>();
  let pair: [string, string] | null = null;
  for (let n = 0; pair === null; n++) {
    const id = `c${n}`;
    const h = hashId(id);
    const other = seen.get(h);
    if (other !== undefined) pair = [other, id];
    else seen.set(h, id);
  }
  const [a, b] = pair;
  expect(hashId(a)).toBe(hashId(b));
  const book = new OrderBook<string>({ tickSize: 1, lotSize: 1 });
  const place = (orderId: string, playerId: string) => book.process({ type: "place", orderId, playerId, side: "sell", orderType: "limit", price: 10, quantity: 1 });
  expect(place(a, "ann").code).toBe(ResultCode.OK);
  expect(book.getOrder(b)).toBeUndefined();
  expect(place(b, "bob").code).toBe(ResultCode.OK);
  expect(book.getOrder(a)?.playerId).toBe("ann");
  expect(book.getOrder(b)?.playerId).toBe("bob");
  expect(book.process({ type: "cancel", orderId: a, playerId: "bob" }).code).toBe(ResultCode.NOT_OWNER);
  expect(book.process({ type: "cancel", orderId: a, playerId: "ann" }).code).toBe(ResultCode.OK);
  expect(book.getOrder(a)).toBeUndefined();
  expect(book.getOrder(b)?.playerId).toBe("bob");
  expect(place(a, "cy").code).toBe(ResultCode.OK);
  expect(book.process({ type: "cancel", orderId: b, playerId: "bob" }).code).toBe(ResultCode.OK);
  expect(book.getOrder(a)?.playerId).toBe("cy");
  expect(book.size()).toBe(1);
});
