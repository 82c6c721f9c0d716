import { describe, expect, test } from "vitest";
import { OrderBook, ReferenceBook, ResultCode } from "./index";
import { renderBook, tableCells } from "./format";
import type { Book, BookConfig, CommandResult, EngineEvent, PlaceCommand, Side } from "./types";

// Every scenario runs on both books: the fast one and the reference.
const books: [string, (c: BookConfig) => Book][] = [
  ["OrderBook", (c) => new OrderBook(c)],
  ["ReferenceBook", (c) => new ReferenceBook(c)],
];

function limit(orderId: string, playerId: string, side: Side, price: number, quantity: number, extra: Partial<PlaceCommand> = {}): PlaceCommand {
  return { type: "place", orderId, playerId, side, orderType: "limit", price, quantity, ...extra };
}

function market(orderId: string, playerId: string, side: Side, quantity: number, extra: Partial<PlaceCommand> = {}): PlaceCommand {
  return { type: "place", orderId, playerId, side, orderType: "market", quantity, ...extra };
}

function expectBook(book: Book, table: string): void {
  expect(tableCells(renderBook(book))).toEqual(tableCells(table));
}

function ok(r: CommandResult): CommandResult {
  expect(r.code, JSON.stringify(r.events)).toBe(ResultCode.OK);
  return r;
}

/** [maker, taker, price, quantity] for each fill, in order. */
function fills(r: CommandResult): [string, string, number, number][] {
  return r.events.flatMap((e) => (e.type === "fill" ? [[e.makerOrderId, e.takerOrderId, e.price, e.quantity] as [string, string, number, number]] : []));
}

function ofType<T extends EngineEvent["type"]>(r: CommandResult, type: T): Extract<EngineEvent, { type: T }>[] {
  return r.events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
}

const unit = { tickSize: 1, lotSize: 1 };

describe.each(books)("%s scenarios", (_name, make) => {
  function bookWith(...orders: PlaceCommand[]): Book {
    const b = make(unit);
    for (const o of orders) ok(b.process(o));
    return b;
  }

  test("a crossing buy takes the best ask first, in time order, and every event is reported", () => {
    const b = bookWith(
      limit("s1", "ann", "sell", 101, 3),
      limit("s2", "bob", "sell", 101, 4),
      limit("s3", "cat", "sell", 102, 5),
      limit("b1", "dan", "buy", 99, 2),
    );
    expectBook(b, `
      bid  | price | ask
           |   102 | s3:5
           |   101 | s1:3 s2:4
      b1:2 |    99 |
    `);
    const r = ok(b.process(limit("b2", "eve", "buy", 102, 10, { clientOrderId: "mine-1" })));
    expect(r.events).toEqual([
      { type: "accepted", orderId: "b2", playerId: "eve", clientOrderId: "mine-1", side: "buy", orderType: "limit", price: 102, quantity: 10, timeInForce: "GTC", seq: 5 },
      { type: "fill", makerOrderId: "s1", takerOrderId: "b2", makerPlayerId: "ann", takerPlayerId: "eve", price: 101, quantity: 3, takerSide: "buy", makerRemaining: 0, takerRemaining: 7 },
      { type: "fill", makerOrderId: "s2", takerOrderId: "b2", makerPlayerId: "bob", takerPlayerId: "eve", price: 101, quantity: 4, takerSide: "buy", makerRemaining: 0, takerRemaining: 3 },
      { type: "fill", makerOrderId: "s3", takerOrderId: "b2", makerPlayerId: "cat", takerPlayerId: "eve", price: 102, quantity: 3, takerSide: "buy", makerRemaining: 2, takerRemaining: 0 },
      { type: "level", side: "sell", price: 101, total: 0 },
      { type: "level", side: "sell", price: 102, total: 2 },
    ]);
    expect({ filled: r.filled, remaining: r.remaining, resting: r.resting }).toEqual({ filled: 10, remaining: 0, resting: false });
    expectBook(b, `
      bid  | price | ask
           |   102 | s3:2
      b1:2 |    99 |
    `);
  });

  test("a partly filled limit order rests the remainder at its own price", () => {
    const b = bookWith(limit("s1", "ann", "sell", 100, 4));
    const r = ok(b.process(limit("b1", "bob", "buy", 101, 10)));
    expect(fills(r)).toEqual([["s1", "b1", 100, 4]]);
    expect({ filled: r.filled, remaining: r.remaining, resting: r.resting }).toEqual({ filled: 4, remaining: 6, resting: true });
    expect(ofType(r, "level")).toEqual([
      { type: "level", side: "buy", price: 101, total: 6 },
      { type: "level", side: "sell", price: 100, total: 0 },
    ]);
    expectBook(b, `
      bid  | price | ask
      b1:6 |   101 |
    `);
    expect(b.getOrder("b1")).toMatchObject({ remaining: 6, filled: 4, price: 101 });
  });

  test("a market buy never spends more than its budget", () => {
    const b = bookWith(limit("s1", "ann", "sell", 100, 5), limit("s2", "ann", "sell", 101, 5), limit("s3", "ann", "sell", 102, 5));
    expectBook(b, `
      bid | price | ask
          |   102 | s3:5
          |   101 | s2:5
          |   100 | s1:5
    `);
    const r = ok(b.process(market("m1", "bob", "buy", 100, { budget: 1000 })));
    // 5 @ 100 = 500; 500 left buys 4 @ 101 = 404; 96 left buys nothing more.
    expect(fills(r)).toEqual([["s1", "m1", 100, 5], ["s2", "m1", 101, 4]]);
    expect(ofType(r, "canceled")).toEqual([{ type: "canceled", orderId: "m1", playerId: "bob", side: "buy", price: null, remaining: 91, reason: "ioc" }]);
    expectBook(b, `
      bid | price | ask
          |   102 | s3:5
          |   101 | s2:1
    `);
  });

  test("a market sell stops at its worst price", () => {
    const b = bookWith(limit("b1", "ann", "buy", 100, 3), limit("b2", "ann", "buy", 99, 3), limit("b3", "ann", "buy", 98, 3));
    const r = ok(b.process(market("m1", "bob", "sell", 10, { priceLimit: 99 })));
    expect(fills(r)).toEqual([["b1", "m1", 100, 3], ["b2", "m1", 99, 3]]);
    expect(ofType(r, "canceled")[0]).toMatchObject({ orderId: "m1", remaining: 4, reason: "ioc" });
    expectBook(b, `
      bid  | price | ask
      b3:3 |    98 |
    `);
  });

  test("a market order on an empty side is accepted and its whole quantity canceled", () => {
    const b = make(unit);
    const r = ok(b.process(market("m1", "bob", "buy", 10)));
    expect(r.events.map((e) => e.type)).toEqual(["accepted", "canceled"]);
    expect(ofType(r, "canceled")[0]?.remaining).toBe(10);
  });

  test("IOC fills what it can and cancels the rest; nothing rests", () => {
    const b = bookWith(limit("s1", "ann", "sell", 101, 4));
    const r = ok(b.process(limit("b1", "bob", "buy", 101, 10, { timeInForce: "IOC" })));
    expect(fills(r)).toEqual([["s1", "b1", 101, 4]]);
    expect(ofType(r, "canceled")[0]).toMatchObject({ orderId: "b1", remaining: 6, reason: "ioc" });
    expectBook(b, "bid | price | ask");
  });

  test("FOK fills completely or is rejected without touching the book", () => {
    const b = bookWith(limit("s1", "ann", "sell", 100, 4), limit("s2", "ann", "sell", 101, 4));
    const before = b.stateHash();
    const r = b.process(limit("b1", "bob", "buy", 101, 10, { timeInForce: "FOK" }));
    expect(r.code).toBe(ResultCode.FOK_NOT_FILLABLE);
    expect(r.events).toEqual([{ type: "rejected", code: ResultCode.FOK_NOT_FILLABLE, command: "place", orderId: "b1", playerId: "bob" }]);
    expect(b.stateHash()).toBe(before);
    const r2 = ok(b.process(limit("b2", "bob", "buy", 101, 8, { timeInForce: "FOK" })));
    expect(fills(r2)).toEqual([["s1", "b2", 100, 4], ["s2", "b2", 101, 4]]);
    expectBook(b, "bid | price | ask");
  });

  test("post-only rests, or is rejected if it would trade", () => {
    const b = bookWith(limit("s1", "ann", "sell", 100, 4));
    expect(b.process(limit("b1", "bob", "buy", 100, 1, { timeInForce: "POST_ONLY" })).code).toBe(ResultCode.POST_ONLY_WOULD_CROSS);
    ok(b.process(limit("b2", "bob", "buy", 99, 1, { timeInForce: "POST_ONLY" })));
    expect(b.process({ type: "amend", orderId: "b2", playerId: "bob", price: 100 }).code).toBe(ResultCode.POST_ONLY_WOULD_CROSS);
    expectBook(b, `
      bid  | price | ask
           |   100 | s1:4
      b2:1 |    99 |
    `);
  });

  describe("self-trade prevention (ann's buy meets her own resting sell first)", () => {
    function stpBook(): Book {
      return bookWith(limit("s1", "ann", "sell", 100, 3), limit("s2", "bob", "sell", 100, 3));
    }
    const start = `
      bid | price | ask
          |   100 | s1:3 s2:3
    `;

    test("none: she trades with herself", () => {
      const b = stpBook();
      expectBook(b, start);
      const r = ok(b.process(limit("b1", "ann", "buy", 100, 5, { stp: "none" })));
      expect(fills(r)).toEqual([["s1", "b1", 100, 3], ["s2", "b1", 100, 2]]);
      expectBook(b, `
        bid | price | ask
            |   100 | s2:1
      `);
    });

    test("cancel_taker: her buy is canceled, her sell stays", () => {
      const b = stpBook();
      const r = ok(b.process(limit("b1", "ann", "buy", 100, 5, { stp: "cancel_taker" })));
      expect(fills(r)).toEqual([]);
      expect(ofType(r, "canceled")).toEqual([{ type: "canceled", orderId: "b1", playerId: "ann", side: "buy", price: 100, remaining: 5, reason: "self_trade" }]);
      expectBook(b, start);
    });

    test("cancel_maker: her sell is canceled and the buy goes on", () => {
      const b = stpBook();
      const r = ok(b.process(limit("b1", "ann", "buy", 100, 5, { stp: "cancel_maker" })));
      expect(r.events.map((e) => e.type)).toEqual(["accepted", "canceled", "fill", "level", "level"]);
      expect(ofType(r, "canceled")[0]).toMatchObject({ orderId: "s1", remaining: 3, reason: "self_trade" });
      expect(fills(r)).toEqual([["s2", "b1", 100, 3]]);
      expectBook(b, `
        bid  | price | ask
        b1:2 |   100 |
      `);
    });

    test("cancel_both: both are canceled", () => {
      const b = stpBook();
      const r = ok(b.process(limit("b1", "ann", "buy", 100, 5, { stp: "cancel_both" })));
      expect(ofType(r, "canceled").map((e) => [e.orderId, e.remaining])).toEqual([["s1", 3], ["b1", 5]]);
      expectBook(b, `
        bid | price | ask
            |   100 | s2:3
      `);
    });
  });

  test("amend: reducing keeps priority, increasing loses it, a new price moves and may trade", () => {
    const b = bookWith(limit("b1", "ann", "buy", 100, 5), limit("b2", "bob", "buy", 100, 5), limit("s1", "cat", "sell", 102, 4));
    expectBook(b, `
      bid       | price | ask
                |   102 | s1:4
      b1:5 b2:5 |   100 |
    `);
    let r = ok(b.process({ type: "amend", orderId: "b1", playerId: "ann", quantity: 3 }));
    expect(r.events[0]).toMatchObject({ type: "amended", oldRemaining: 5, remaining: 3, priorityKept: true });
    expectBook(b, `
      bid       | price | ask
                |   102 | s1:4
      b1:3 b2:5 |   100 |
    `);
    r = ok(b.process({ type: "amend", orderId: "b1", playerId: "ann", quantity: 6 }));
    expect(r.events[0]).toMatchObject({ priorityKept: false });
    expectBook(b, `
      bid       | price | ask
                |   102 | s1:4
      b2:5 b1:6 |   100 |
    `);
    r = ok(b.process({ type: "amend", orderId: "b2", playerId: "bob", price: 102 }));
    expect(fills(r)).toEqual([["s1", "b2", 102, 4]]);
    expect({ filled: r.filled, remaining: r.remaining, resting: r.resting }).toEqual({ filled: 4, remaining: 1, resting: true });
    expectBook(b, `
      bid  | price | ask
      b2:1 |   102 |
      b1:6 |   100 |
    `);
    expect(b.getOrder("b2")).toMatchObject({ price: 102, remaining: 1, filled: 4 });
    expect(b.process({ type: "amend", orderId: "b2", playerId: "ann", quantity: 1 }).code).toBe(ResultCode.NOT_OWNER);
    expect(b.process({ type: "amend", orderId: "b2", playerId: "bob", quantity: 1 }).code).toBe(ResultCode.NOTHING_TO_AMEND);
    expect(b.process({ type: "amend", orderId: "zz", playerId: "bob", quantity: 1 }).code).toBe(ResultCode.ORDER_NOT_FOUND);
  });

  test("cancel releases the open quantity; only the owner may cancel", () => {
    const b = bookWith(limit("b1", "ann", "buy", 100, 5), limit("b2", "ann", "buy", 100, 2));
    expect(b.process({ type: "cancel", orderId: "b1", playerId: "bob" }).code).toBe(ResultCode.NOT_OWNER);
    const r = ok(b.process({ type: "cancel", orderId: "b1", playerId: "ann" }));
    expect(r.events).toEqual([
      { type: "canceled", orderId: "b1", playerId: "ann", side: "buy", price: 100, remaining: 5, reason: "user" },
      { type: "level", side: "buy", price: 100, total: 2 },
    ]);
    expect(b.process({ type: "cancel", orderId: "b1", playerId: "ann" }).code).toBe(ResultCode.ORDER_NOT_FOUND);
    expectBook(b, `
      bid  | price | ask
      b2:2 |   100 |
    `);
  });

  test("expire removes orders whose time has come, earliest first; the clock is passed in", () => {
    const b = bookWith(
      limit("b1", "ann", "buy", 100, 5, { expiresAt: 20 }),
      limit("b2", "ann", "buy", 99, 5, { expiresAt: 10 }),
      limit("s1", "bob", "sell", 105, 5, { expiresAt: 30 }),
      limit("s2", "bob", "sell", 106, 5),
    );
    expect(b.nextExpiry()).toBe(10);
    const r = ok(b.process({ type: "expire", now: 20 }));
    expect(ofType(r, "expired").map((e) => [e.orderId, e.remaining])).toEqual([["b2", 5], ["b1", 5]]);
    expect(b.nextExpiry()).toBe(30);
    expectBook(b, `
      bid | price | ask
          |   106 | s2:5
          |   105 | s1:5
    `);
  });

  test("cancelAll cancels one player's orders, oldest first", () => {
    const b = bookWith(limit("a1", "ann", "buy", 100, 1), limit("x1", "bob", "buy", 100, 1), limit("a2", "ann", "sell", 105, 2), limit("a3", "ann", "buy", 98, 3));
    const r = ok(b.process({ type: "cancelAll", playerId: "ann" }));
    expect(ofType(r, "canceled").map((e) => [e.orderId, e.reason])).toEqual([["a1", "cancel_all"], ["a2", "cancel_all"], ["a3", "cancel_all"]]);
    expectBook(b, `
      bid  | price | ask
      x1:1 |   100 |
    `);
    expect(ok(b.process({ type: "cancelAll", playerId: "nobody" })).events).toEqual([]);
  });

  test("tick size, lot size and overflow are enforced", () => {
    const b = make({ tickSize: 5, lotSize: 10 });
    expect(b.process(limit("b1", "ann", "buy", 101, 10)).code).toBe(ResultCode.PRICE_NOT_ON_TICK);
    expect(b.process(limit("b1", "ann", "buy", 100, 15)).code).toBe(ResultCode.QUANTITY_NOT_ON_LOT);
    expect(b.process(limit("b1", "ann", "buy", 100, 0)).code).toBe(ResultCode.INVALID_QUANTITY);
    expect(b.process(limit("b1", "ann", "buy", 100.5, 10)).code).toBe(ResultCode.INVALID_PRICE);
    expect(b.process(limit("b1", "ann", "buy", 100, 2 ** 60)).code).toBe(ResultCode.INVALID_QUANTITY);
    expect(b.process(limit("b1", "ann", "buy", 100, 1e14)).code).toBe(ResultCode.NOTIONAL_OVERFLOW);
    // At price 5 the largest order is about MAX / 5: five of them fill the level's total to about MAX.
    const big = Math.floor(Number.MAX_SAFE_INTEGER / 5 / 10) * 10;
    expect(b.process(limit("h9", "ann", "buy", 5, big + 10)).code).toBe(ResultCode.NOTIONAL_OVERFLOW);
    ok(b.process(limit("h0", "ann", "buy", 5, 10)));
    for (const id of ["h1", "h2", "h3", "h4", "h5"]) ok(b.process(limit(id, "ann", "buy", 5, big)));
    expect(b.process(limit("h6", "ann", "buy", 5, big)).code).toBe(ResultCode.LEVEL_OVERFLOW);
    expect(b.process({ type: "amend", orderId: "h0", playerId: "ann", quantity: 100 }).code).toBe(ResultCode.LEVEL_OVERFLOW);
    expect(b.depth(1).bids[0]?.quantity).toBe(5 * big + 10);
    expect(5 * big + 10 <= Number.MAX_SAFE_INTEGER).toBe(true);
    expect(b.process(market("m1", "ann", "sell", 10, { budget: 100 })).code).toBe(ResultCode.INVALID_BUDGET);
    expect(b.process(limit("b9", "ann", "buy", 100, 10, { timeInForce: "IOC", expiresAt: 5 })).code).toBe(ResultCode.INVALID_EXPIRY);
    expect(b.process({ type: "nonsense" } as never).code).toBe(ResultCode.UNKNOWN_COMMAND);
  });

  test("the lifetime filled counter stays exact: an amend may not take filled + remaining past 2^53 - 1", () => {
    const MAX = Number.MAX_SAFE_INTEGER;
    const book = make(unit);
    ok(book.process(limit("B", "p1", "buy", 1, MAX - 1)));
    ok(book.process(limit("S1", "p2", "sell", 1, MAX - 2)));
    expect(book.getOrder("B")).toMatchObject({ filled: MAX - 2, remaining: 1 });
    // filled (2^53 - 3) + 10 would pass 2^53 - 1: refused, the order unchanged.
    expect(book.process({ type: "amend", orderId: "B", playerId: "p1", quantity: 10 }).code).toBe(ResultCode.LIFETIME_OVERFLOW);
    expect(book.getOrder("B")).toMatchObject({ filled: MAX - 2, remaining: 1 });
    // Up to the bound is fine, and the counter is exact at the top.
    ok(book.process({ type: "amend", orderId: "B", playerId: "p1", quantity: 2 }));
    ok(book.process(limit("S2", "p3", "sell", 1, 4)));
    expect(book.getOrder("B")).toBeUndefined();
    expect(book.getOrder("S2")).toMatchObject({ filled: 2, remaining: 2 });
  });

  test("queries: best prices, depth by level, an order by id", () => {
    const b = bookWith(
      limit("b1", "ann", "buy", 100, 5),
      limit("b2", "bob", "buy", 100, 2),
      limit("b3", "bob", "buy", 98, 1),
      limit("b4", "bob", "buy", 97, 1),
      limit("s1", "cat", "sell", 103, 4, { clientOrderId: "c-1", expiresAt: 99, stp: "cancel_maker" }),
    );
    expect([b.bestBid(), b.bestAsk()]).toEqual([100, 103]);
    expect(b.depth(2)).toEqual({
      bids: [
        { price: 100, quantity: 7, orders: 2 },
        { price: 98, quantity: 1, orders: 1 },
      ],
      asks: [{ price: 103, quantity: 4, orders: 1 }],
    });
    expect(b.getOrder("s1")).toEqual({
      orderId: "s1",
      playerId: "cat",
      clientOrderId: "c-1",
      side: "sell",
      price: 103,
      remaining: 4,
      filled: 0,
      seq: 5,
      timeInForce: "GTC",
      stp: "cancel_maker",
      expiresAt: 99,
    });
    expect(b.getOrder("nope")).toBeUndefined();
    expect(b.size()).toBe(5);
    expect(make(unit).bestBid()).toBeUndefined();
  });
});
