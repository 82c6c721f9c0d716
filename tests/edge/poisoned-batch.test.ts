/**
 * The room's batch planner (party/settlement/plan.ts) with one poisoned command among valid ones:
 * the poisoned one is refused alone with a code and a message naming its field, every valid one is
 * planned exactly as it would be without it, and no stored row carries a value its column refuses.
 * Pure (no database): it lives here because the unit project's folders are party/engine, tests/edge,
 * tests/scripts and app (vitest.config.ts). The session's side, on a real Postgres, is in
 * tests/http/poison.test.ts.
 */
import { describe, expect, it } from "vitest";
import { MAX_BUDGET, MAX_ORDER_QUANTITY, MAX_PRICE } from "../../party/bounds";
import { createBook, type OrderBook } from "../../party/engine";
import { RoomCode } from "../../party/settlement/codes";
import { planBatch, PoisonedCommand } from "../../party/settlement/plan";
import type { Answer, BatchPlan, MarketCommand, MarketConfig } from "../../party/settlement/types";

const config: MarketConfig = { slug: "iron-ore", itemTypeId: 7, tickSize: 1, lotSize: 1, makerFeeBps: 10, takerFeeBps: 25, status: "open" };
const NOW = 1_800_000_000_000;
const DAY = 24 * 3_600_000;
const players = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`);
const poisoner = "00000000-0000-4000-8000-0000000000ff";

type Place = Extract<MarketCommand, { type: "place" }>;
const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number, extra: Partial<Place> = {}): Place => ({
  type: "place", playerId, clientOrderId: `c-${playerId.slice(-3)}-${side}-${price}`, side, orderType: "limit", price, quantity, ...extra,
});

/** Twelve players: sells at 100-104; half the buys cross them (partly), half rest at 95 until a minute from now. */
const validCommands = (): MarketCommand[] =>
  players.map((p, i) =>
    i % 2 === 0 ? place(p, "sell", 100 + (i % 6), 5 + i) : i % 4 === 1 ? place(p, "buy", 99 + (i % 6), 3 + i) : place(p, "buy", 95, 2, { expiresAt: NOW + 60_000 }),
  );

function plan(commands: MarketCommand[], book: OrderBook = createBook({ tickSize: 1, lotSize: 1 }), now = NOW): { plan: BatchPlan; book: OrderBook } {
  let n = 0;
  const wallets = { currency: new Map<string, number>(), items: new Map<string, number>() };
  for (const p of [...players, poisoner]) {
    wallets.currency.set(p, 2 * MAX_BUDGET);
    wallets.items.set(p, 10 * MAX_ORDER_QUANTITY);
  }
  const result = planBatch({
    config, book, open: new Map(), wallets, commands, nextFillSeq: 1, nextPriority: 1, now,
    newId: () => `00000000-0000-4000-9000-${String(++n).padStart(12, "0")}`,
  });
  return { plan: result, book };
}

/** What the other players see of a plan: answers without order ids, fills, the book. */
function outcome(p: BatchPlan, book: OrderBook, skip: number) {
  const answers = p.answers.filter((_, i) => i !== skip).map((a: Answer) => ({ ok: a.ok, code: a.code, status: a.order?.status, filled: a.order?.filled }));
  const fills = p.fills.map((f) => [f.price, f.quantity, f.takerSide, f.makerPlayerId, f.takerPlayerId]);
  return { answers, fills, depth: book.depth(50) };
}

/** Every row the writer would store fits its column (db/market/write.ts builds a Date from expiresAt). */
function expectStorable(p: BatchPlan) {
  for (const o of p.orders.values()) {
    expect(o.clientOrderId).toMatch(/^[A-Za-z0-9_.:-]{1,64}$/);
    expect(o.playerId).toMatch(/^[0-9a-f-]{36}$/);
    for (const n of [o.quantity, o.remaining, o.filled, o.reserved, o.seq, o.priority]) expect(Number.isSafeInteger(n)).toBe(true);
    if (o.price !== null) expect(Number.isSafeInteger(o.price)).toBe(true);
    if (o.expiresAt !== null) {
      expect(() => new Date(o.expiresAt!).toISOString()).not.toThrow();
      if (o.status !== "rejected") {
        // An order that may rest expires between the batch's clock and 365 days after it.
        expect(o.expiresAt).toBeGreaterThan(NOW);
        expect(o.expiresAt).toBeLessThanOrEqual(NOW + 365 * DAY);
      }
    }
  }
}

const throwsWhenRead = (): MarketCommand => {
  const c = { ...place(poisoner, "buy", 100, 1) } as Record<string, unknown>;
  Object.defineProperty(c, "quantity", { enumerable: true, get: () => { throw new Error("a value that throws when read"); } });
  return c as unknown as MarketCommand;
};

/** [what, the poisoned command, the code it gets, a word its message must contain] */
const poisons: Array<[string, MarketCommand, number, RegExp]> = [
  ["expiresAt 2^53 - 1", place(poisoner, "buy", 100, 1, { expiresAt: Number.MAX_SAFE_INTEGER }), 113, /expiresAt .*365 days/],
  ["expiresAt 2^53 (not a safe integer)", place(poisoner, "buy", 100, 1, { expiresAt: 2 ** 53 }), 113, /expiresAt/],
  ["expiresAt 1 (the past)", place(poisoner, "buy", 100, 1, { expiresAt: 1 }), 113, /expiresAt/],
  ["expiresAt now (not in the future)", place(poisoner, "buy", 100, 1, { expiresAt: NOW }), 113, /expiresAt/],
  ["expiresAt 366 days ahead", place(poisoner, "buy", 100, 1, { expiresAt: NOW + 366 * DAY }), 113, /expiresAt/],
  ["expiresAt fractional", place(poisoner, "buy", 100, 1, { expiresAt: NOW + 1_000.5 }), 113, /expiresAt/],
  ["expiresAt on an IOC order", place(poisoner, "buy", 100, 1, { expiresAt: NOW + 60_000, timeInForce: "IOC" }), 113, /resting limit order/],
  ["quantity 2^53", place(poisoner, "sell", 100, 2 ** 53), 108, /quantity/],
  ["quantity 2^53 - 1 at price 2", place(poisoner, "buy", 2, Number.MAX_SAFE_INTEGER), 201, /price x quantity/],
  ["negative quantity", place(poisoner, "sell", 100, -5), 108, /quantity/],
  ["fractional quantity", place(poisoner, "sell", 100, 1.5), 108, /quantity/],
  ["zero quantity", place(poisoner, "sell", 100, 0), 108, /quantity/],
  ["quantity NaN", place(poisoner, "sell", 100, Number.NaN), 108, /quantity/],
  ["price 2^53", place(poisoner, "buy", 2 ** 53, 1), 110, /price/],
  ["negative price", place(poisoner, "buy", -100, 1), 110, /price/],
  ["price x quantity past 2^53", place(poisoner, "buy", 2 ** 40, 2 ** 20), 201, /price x quantity/],
  ["market buy budget 2^53", { ...place(poisoner, "buy", 100, 1), orderType: "market", price: undefined, budget: 2 ** 53 }, 112, /budget/],
  ["market buy priceLimit x quantity past 2^53", { ...place(poisoner, "buy", 100, 2 ** 30), orderType: "market", price: undefined, priceLimit: 2 ** 30 }, 201, /price x quantity/],
  ["unknown side", { ...place(poisoner, "buy", 100, 1), side: "sideways" } as unknown as MarketCommand, 104, /side/],
  ["unknown order type", { ...place(poisoner, "buy", 100, 1), orderType: "stop" } as unknown as MarketCommand, 105, /orderType/],
  ["unknown time in force", { ...place(poisoner, "buy", 100, 1), timeInForce: "FOREVER" } as unknown as MarketCommand, 106, /timeInForce/],
  ["unknown stp", { ...place(poisoner, "buy", 100, 1), stp: "maybe" } as unknown as MarketCommand, 107, /stp/],
  ["huge client order id", place(poisoner, "buy", 100, 1, { clientOrderId: "x".repeat(100_000) }), RoomCode.INVALID_COMMAND, /clientOrderId/],
  ["client order id with a NUL", place(poisoner, "buy", 100, 1, { clientOrderId: "a\u0000b" }), RoomCode.INVALID_COMMAND, /clientOrderId/],
  ["client order id with a lone surrogate", place(poisoner, "buy", 100, 1, { clientOrderId: "a\ud800" }), RoomCode.INVALID_COMMAND, /clientOrderId/],
  ["player id not a uuid", place("robert'); drop table orders;--", "buy", 100, 1), RoomCode.INVALID_COMMAND, /playerId/],
  ["unknown command type", { type: "explode", playerId: poisoner } as unknown as MarketCommand, RoomCode.INVALID_COMMAND, /unknown command type/],
  ["a field that throws when read", throwsWhenRead(), RoomCode.INVALID_COMMAND, /could not be read/],
  ["amend to quantity 2^53", { type: "amend", playerId: poisoner, orderId: "00000000-0000-4000-9000-000000000001", quantity: 2 ** 53 }, 108, /quantity/],
  ["amend to a fractional price", { type: "amend", playerId: poisoner, orderId: "00000000-0000-4000-9000-000000000001", price: 0.5 }, 110, /price/],
  ["cancel of a huge order id", { type: "cancel", playerId: poisoner, orderId: "x".repeat(100_000) }, 101, /orderId/],
  ["expire with a time that is not a number", { type: "expire", now: "soon" } as unknown as MarketCommand, RoomCode.INVALID_COMMAND, /now/],
];

describe("a poisoned command in a batch of valid ones", () => {
  const base = plan(validCommands());
  const at = 5; // the poison goes in the middle of the batch

  it("the valid batch alone trades and rests (the baseline)", () => {
    expect(base.plan.answers.every((a) => a.ok)).toBe(true);
    expect(base.plan.fills.length).toBeGreaterThan(0);
    expect(base.book.depth(50).bids.length).toBeGreaterThan(0);
    expect(base.book.depth(50).asks.length).toBeGreaterThan(0);
  });

  it.each(poisons)("%s: refused alone with a clear code and message; the others are planned exactly as without it", (_what, poison, code, word) => {
    const commands = validCommands();
    commands.splice(at, 0, poison);
    const { plan: p, book } = plan(commands);
    const answer = p.answers[at]!;
    expect(answer.ok).toBe(false);
    expect(answer.code).toBe(code);
    // 1xx and 2xx codes: the edge answers 400, 403 or 409, never 5xx (edge/market/room.server.ts).
    expect(answer.code).toBeGreaterThanOrEqual(100);
    expect(answer.code).toBeLessThan(300);
    expect(answer.message).toMatch(word);
    expect(p.answers).toHaveLength(commands.length);
    expect(outcome(p, book, at)).toEqual(outcome(base.plan, base.book, -1));
    expect([...p.orders.values()].some((o) => o.playerId === poisoner && o.status !== "rejected")).toBe(false);
    expectStorable(p);
  });

  it("valid at the edge is not enough: an expiresAt that passed before the batch ran is refused by the batch's clock", () => {
    const commands = validCommands();
    const late = place(poisoner, "buy", 100, 1, { expiresAt: NOW + 500 });
    const farOk = place(poisoner, "sell", 200, 1, { clientOrderId: "far", expiresAt: NOW + 1_000 + 365 * DAY });
    commands.splice(at, 0, late, farOk);
    const { plan: p } = plan(commands, undefined, NOW + 1_000);
    expect(p.answers[at]).toMatchObject({ ok: false, reason: "INVALID_EXPIRY" });
    expect(p.answers[at]!.message).toMatch(/expiresAt/);
    expect(p.answers[at + 1]).toMatchObject({ ok: true, order: { status: "open", expiresAt: NOW + 1_000 + 365 * DAY } });
    expect(p.answers.filter((_, i) => i !== at).every((a) => a.ok)).toBe(true);
  });

  it("the bounds make every product the room computes a safe integer", () => {
    const maxFeeBps = 1_000; // markets_fees_check
    const notional = MAX_PRICE * MAX_ORDER_QUANTITY;
    expect(Number.isSafeInteger(notional + Math.floor((notional * maxFeeBps) / 10_000))).toBe(true);
    expect(MAX_BUDGET).toBe(notional);
    expect(Number.isSafeInteger(MAX_BUDGET + Math.floor((MAX_BUDGET * maxFeeBps) / 10_000))).toBe(true);
    // At the bounds, a buy is planned and reserved exactly (fee 10%).
    const big = plan([place(players[0]!, "buy", MAX_PRICE, MAX_ORDER_QUANTITY)]);
    expect(big.plan.answers[0]).toMatchObject({ ok: true, order: { reserved: notional + (notional / 10_000) * 25 } });
  });
});

describe("a command that throws inside the book mid-plan", () => {
  /** A book that throws after it has processed the poisoned command: the working book is half-changed. */
  function throwingBook(book: OrderBook, poisonClientOrderId: string): OrderBook {
    return new Proxy(book, {
      get(target, prop) {
        if (prop === "process") {
          return (c: Parameters<OrderBook["process"]>[0]) => {
            const result = target.process(c);
            if ((c as { clientOrderId?: string }).clientOrderId === poisonClientOrderId) throw new Error("engine fault after the book changed");
            return result;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  it("is named by its place in the batch, and planning the rest again on the committed book gives exactly the batch without it", () => {
    const committed = createBook({ tickSize: 1, lotSize: 1 });
    const snapshot = committed.snapshot();
    const commands = validCommands();
    const at = 7;
    commands.splice(at, 0, place(poisoner, "sell", 99, 3, { clientOrderId: "boom" }));
    let thrown: unknown;
    const working = throwingBook(committed, "boom");
    try {
      plan(commands, working);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PoisonedCommand);
    expect((thrown as PoisonedCommand).index).toBe(at);
    expect(String(thrown)).toMatch(/engine fault after the book changed/);
    // The working book was changed by the poisoned command (it traded): it must not be used again.
    const before = plan(commands.slice(0, at));
    expect(committed.depth(50)).not.toEqual(before.book.depth(50));
    // What the session does: reload the committed book, plan again without the poisoned command.
    const fresh = createBook({ tickSize: 1, lotSize: 1 });
    expect(fresh.snapshot()).toEqual(snapshot);
    const again = plan(commands.filter((_, i) => i !== at), fresh);
    expect(again.plan.answers.every((a) => a.ok)).toBe(true);
    const alone = plan(validCommands());
    expect(outcome(again.plan, again.book, -1)).toEqual(outcome(alone.plan, alone.book, -1));
  });
});
