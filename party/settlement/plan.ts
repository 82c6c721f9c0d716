/**
 * Planning one batch, pure: for each command in arrival order, check and reserve funds or items
 * against the players' locked available amounts, match it in the engine, and turn the engine's
 * events into order rows, fills, fees and ledger postings. Nothing here does I/O; the room writes
 * the plan in one transaction and publishes it only after COMMIT.
 */
import { CURRENCY, type LedgerEntry, type Posting, type SupplyChange } from "../../db/ledger/types";
import type { CommandResult, EngineEvent, LevelEvent, OrderBook } from "../engine";
import { describe, EngineCode, RoomCode } from "./codes";
import { expiryProblem } from "../bounds";
import { validateAmend, validatePlace } from "../engine/validate";
import { commandProblem } from "./screen";
import { LimitCheck, orderValue, type LimitsView } from "./limits";
import { buyReservation, fee } from "./money";
import type { AmountRanges, WalletKind } from "./ranges";
import type { Answer, BatchPlan, FillRow, MarketCommand, MarketConfig, OrderRow, Wallets } from "./types";

export interface PlanInput {
  config: MarketConfig;
  book: OrderBook;
  /** The room's committed open orders (not modified here). */
  open: ReadonlyMap<string, OrderRow>;
  wallets: Wallets;
  commands: MarketCommand[];
  nextFillSeq: number;
  nextPriority: number;
  newId: () => string;
  /**
   * The batch's clock (epoch ms): orders already past their expiry leave the book before this batch
   * trades, and a new order's expiresAt must be between it and 365 days after it.
   */
  now: number;
  /** The item type's trading limits and what the batch read for them (ADR 027); none: no limits. */
  limits?: LimitsView;
  /** Planning on remembered amounts (ADR 042): each funds check is recorded here. */
  ranges?: AmountRanges;
}

/** A player's order never trades with their own: the incoming one is canceled (no wash trades). */
export const DEFAULT_STP = "cancel_taker" as const;

export function planBatch(input: PlanInput): BatchPlan {
  return new Planner(input).run();
}

class Planner {
  private readonly plan: BatchPlan;
  private readonly maxBps: number;
  private postings: Posting[] = [];
  private sunk = 0;
  private readonly limits: LimitCheck | undefined;

  constructor(private readonly input: PlanInput) {
    this.limits = input.limits ? new LimitCheck(input.limits, input.open, input.now) : undefined;
    this.plan = { answers: [], orders: new Map(), fills: [], entries: [], levels: [], ended: [], nextFillSeq: input.nextFillSeq, nextPriority: input.nextPriority };
    this.maxBps = Math.max(input.config.makerFeeBps, input.config.takerFeeBps);
  }

  run(): BatchPlan {
    const now = this.input.now;
    if ((this.input.book.nextExpiry() ?? Number.POSITIVE_INFINITY) <= now) {
      this.postings = [];
      this.sunk = 0;
      const expire: MarketCommand = { type: "expire", now };
      const answer = this.release(this.input.book.process(expire));
      if (this.postings.length > 0) this.entry(expire, answer);
    }
    for (const [index, command] of this.input.commands.entries()) {
      this.postings = [];
      this.sunk = 0;
      let answer: Answer;
      try {
        // Every field checked before the book is touched; a throw after that poisons the working book.
        const problem = commandProblem(command);
        answer = problem === undefined ? this.handle(command) : invalid(problem);
      } catch (error) {
        // The working book may be half-changed: the caller must discard it and plan again without it.
        throw new PoisonedCommand(index, error);
      }
      this.plan.answers.push(answer);
      if (this.postings.length > 0 || this.sunk > 0) this.entry(command, answer);
    }
    return this.plan;
  }

  /** The one funds check: does the player's wallet hold at least `need` now? */
  private enough(kind: WalletKind, player: string, need: number): boolean {
    const available = this.input.wallets[kind].get(player) ?? 0;
    this.input.ranges?.saw(kind, player, available, need);
    return available >= need;
  }

  private order(id: string): OrderRow | undefined {
    return this.plan.orders.get(id) ?? this.input.open.get(id);
  }

  private handle(command: MarketCommand): Answer {
    if (this.input.config.status !== "open" && command.type !== "cancel" && command.type !== "cancelAll" && command.type !== "expire") {
      return reject(RoomCode.MARKET_NOT_OPEN);
    }
    switch (command.type) {
      case "place":
        return this.place(command);
      case "amend":
        return this.amend(command);
      case "cancel":
      case "cancelAll":
      case "expire":
        return this.release(this.input.book.process(command));
    }
  }

  private place(c: Extract<MarketCommand, { type: "place" }>): Answer {
    const { config, book } = this.input;
    const id = this.input.newId();
    const row: OrderRow = {
      id, playerId: c.playerId, clientOrderId: c.clientOrderId, side: c.side, kind: c.orderType,
      timeInForce: c.timeInForce ?? (c.orderType === "market" ? "IOC" : "GTC"), stp: c.stp ?? DEFAULT_STP, code: 0, price: c.orderType === "limit" ? (c.price ?? null) : null,
      quantity: c.quantity, remaining: 0, filled: 0, reserved: 0, status: "rejected", seq: 0, priority: 0, expiresAt: c.expiresAt ?? null,
    };
    // Times are checked against the batch's clock: valid when sent is not enough.
    if (c.expiresAt !== undefined && expiryProblem(c.expiresAt, this.input.now) !== undefined) {
      return this.rejected(row, EngineCode.INVALID_EXPIRY);
    }
    // Every field as the engine judges it, before any arithmetic on it: a wrong kind of value never
    // reaches the reservation maths. The market's tick and lot are left to book.process, after the
    // size and funds checks below, as they always were.
    const shape = validatePlace({ ...c, orderId: id, stp: c.stp ?? DEFAULT_STP }, 1, 1);
    if (shape !== EngineCode.OK) return this.rejected(row, shape);
    // What to hold back before matching.
    let need: number | undefined;
    let budget = c.budget;
    if (c.side === "sell") need = c.quantity;
    else if (c.orderType === "limit") need = c.price === undefined ? undefined : buyReservation(c.price, c.quantity, this.maxBps);
    else {
      if (budget === undefined && c.priceLimit !== undefined) budget = c.priceLimit * c.quantity;
      if (budget === undefined) return this.rejected(row, RoomCode.BUDGET_REQUIRED);
      need = Number.isSafeInteger(budget) && budget > 0 ? buyReservation(budget, 1, config.takerFeeBps) : undefined;
    }
    if (need === undefined || !Number.isSafeInteger(need) || need <= 0) return this.rejected(row, malformed(c, budget));
    const limited = this.limits?.refuse(c.playerId, c.side, c.quantity, orderValue(c, budget, book.bestBid()));
    if (limited) return { ...limited, order: this.rejected(row, limited.code).order };
    if (!this.enough(c.side === "buy" ? "currency" : "items", c.playerId, need)) {
      return this.rejected(row, c.side === "buy" ? RoomCode.INSUFFICIENT_FUNDS : RoomCode.INSUFFICIENT_ITEMS);
    }

    const result = book.process({
      type: "place", orderId: id, playerId: c.playerId, clientOrderId: c.clientOrderId, side: c.side, orderType: c.orderType,
      price: c.price, quantity: c.quantity, timeInForce: c.timeInForce, stp: c.stp ?? DEFAULT_STP, expiresAt: c.expiresAt, budget, priceLimit: c.priceLimit,
    });
    if (result.code !== EngineCode.OK) return this.rejected(row, result.code);
    const seq = result.events.find((e) => e.type === "accepted");
    row.status = "open";
    row.seq = seq?.type === "accepted" ? seq.seq : 0;
    row.priority = this.plan.nextPriority++;
    row.remaining = c.quantity;
    this.limits?.accept(c.playerId, c.side, c.quantity);
    this.hold(row, need);
    this.plan.orders.set(id, row);
    return this.settle(result, row.id);
  }

  private amend(c: Extract<MarketCommand, { type: "amend" }>): Answer {
    const shape = validateAmend(c, 1, 1); // tick and lot: book.process, as for a place
    if (shape !== EngineCode.OK) return reject(shape);
    const current = this.order(c.orderId);
    const view = this.input.book.getOrder(c.orderId);
    // More quantity, or a higher value, is judged like a new order of the difference (ADR 027).
    // Read before the book changes: the view may be the book's own order.
    const mine = current !== undefined && view !== undefined && view.playerId === c.playerId;
    const more = mine ? Math.max(0, (c.quantity ?? view.remaining) - view.remaining) : 0;
    if (mine && this.limits) {
      const value = (c.price ?? view.price) * (c.quantity ?? view.remaining);
      const limited = more > 0 || value > view.price * view.remaining ? this.limits.refuse(c.playerId, current.side, more, value) : undefined;
      if (limited) return limited;
    }
    const answer = this.amendHeld(c, current, view);
    if (answer.ok && mine && more > 0) this.limits?.accept(c.playerId, current.side, more);
    return answer;
  }

  private amendHeld(c: Extract<MarketCommand, { type: "amend" }>, current: OrderRow | undefined, view: ReturnType<OrderBook["getOrder"]>): Answer {
    if (current && view && view.playerId === c.playerId && current.side === "buy") {
      const price = c.price ?? view.price;
      const remaining = c.quantity ?? view.remaining;
      const target = buyReservation(price, remaining, this.maxBps);
      if (target === undefined) return reject(EngineCode.NOTIONAL_OVERFLOW);
      const more = target - current.reserved;
      if (more > 0) {
        if (!this.enough("currency", c.playerId, more)) return reject(RoomCode.INSUFFICIENT_FUNDS);
        const result = this.input.book.process(c);
        if (result.code !== EngineCode.OK) return reject(result.code);
        this.hold({ ...current }, more);
        return this.settle(result, c.orderId);
      }
    } else if (current && view && view.playerId === c.playerId && c.quantity !== undefined && c.quantity > view.remaining) {
      const more = c.quantity - view.remaining;
      if (!this.enough("items", c.playerId, more)) return reject(RoomCode.INSUFFICIENT_ITEMS);
      const result = this.input.book.process(c);
      if (result.code !== EngineCode.OK) return reject(result.code);
      this.hold({ ...current }, more);
      return this.settle(result, c.orderId);
    }
    const result = this.input.book.process(c);
    if (result.code !== EngineCode.OK) return reject(result.code);
    return this.settle(result, c.orderId);
  }

  /** cancel, cancelAll, expire: nothing trades, reservations of orders leaving the book come back. */
  private release(result: CommandResult): Answer {
    if (result.code !== EngineCode.OK) return reject(result.code);
    const canceled: string[] = [];
    for (const e of result.events) {
      if (e.type === "canceled" || e.type === "expired") {
        canceled.push(e.orderId);
        this.close(e.orderId, e.type === "expired" ? "expired" : "canceled", e.type === "expired" ? "expired" : e.reason === "self_trade" ? "self_trade" : undefined);
      } else if (e.type === "level") this.plan.levels.push(e);
    }
    return { ok: true, ...describe(0), code: 0, canceled };
  }

  /** Turn a successful place/amend result into fills, fee postings and order updates. */
  private settle(result: CommandResult, orderId: string): Answer {
    const fills: FillRow[] = [];
    const touched = new Set<string>([orderId]);
    for (const e of result.events) this.apply(e, fills, touched);
    for (const id of touched) this.trim(id);
    const order = this.order(orderId);
    return { ok: true, ...describe(0), code: 0, order: order ? { ...order } : undefined, fills };
  }

  private apply(e: EngineEvent, fills: FillRow[], touched: Set<string>): void {
    const { config } = this.input;
    if (e.type === "level") this.plan.levels.push(e as LevelEvent);
    else if (e.type === "canceled" || e.type === "expired") {
      this.close(e.orderId, e.type === "expired" ? "expired" : "canceled", e.type === "expired" ? "expired" : e.reason === "self_trade" ? "self_trade" : undefined);
    }
    else if (e.type === "amended") {
      const o = this.mutable(e.orderId);
      if (o) {
        o.price = e.price;
        o.quantity = o.filled + e.remaining;
        o.remaining = e.remaining;
        o.seq = this.input.book.getOrder(e.orderId)?.seq ?? o.seq;
        if (!e.priorityKept) o.priority = this.plan.nextPriority++;
      }
    } else if (e.type === "fill") {
      const notional = e.price * e.quantity;
      const makerFee = fee(notional, config.makerFeeBps);
      const takerFee = fee(notional, config.takerFeeBps);
      const fill: FillRow = {
        seq: this.plan.nextFillSeq++, makerOrderId: e.makerOrderId, takerOrderId: e.takerOrderId, makerPlayerId: e.makerPlayerId,
        takerPlayerId: e.takerPlayerId, takerSide: e.takerSide, price: e.price, quantity: e.quantity, makerFee, takerFee,
      };
      fills.push(fill);
      this.plan.fills.push(fill);
      const buyIsTaker = e.takerSide === "buy";
      const [buyOrder, sellOrder] = buyIsTaker ? [e.takerOrderId, e.makerOrderId] : [e.makerOrderId, e.takerOrderId];
      const [buyer, seller] = buyIsTaker ? [e.takerPlayerId, e.makerPlayerId] : [e.makerPlayerId, e.takerPlayerId];
      const [buyerFee, sellerFee] = buyIsTaker ? [takerFee, makerFee] : [makerFee, takerFee];
      const item = config.itemTypeId;
      this.post(buyer, CURRENCY, 0, -(notional + buyerFee));
      this.post(seller, CURRENCY, notional - sellerFee, 0);
      this.post(seller, item, 0, -e.quantity);
      this.post(buyer, item, e.quantity, 0);
      this.sunk += buyerFee + sellerFee;
      this.input.wallets.currency.set(seller, (this.input.wallets.currency.get(seller) ?? 0) + notional - sellerFee);
      this.input.wallets.items.set(buyer, (this.input.wallets.items.get(buyer) ?? 0) + e.quantity);
      const b = this.mutable(buyOrder)!;
      b.reserved -= notional + buyerFee;
      b.filled += e.quantity;
      b.remaining = buyIsTaker ? e.takerRemaining : e.makerRemaining;
      const s = this.mutable(sellOrder)!;
      s.reserved -= e.quantity;
      s.filled += e.quantity;
      s.remaining = buyIsTaker ? e.makerRemaining : e.takerRemaining;
      touched.add(e.makerOrderId).add(e.takerOrderId);
    }
  }

  /** After a command: an order off the book gives back all it holds; a resting buy gives back any excess. */
  private trim(id: string): void {
    const o = this.mutable(id);
    if (!o) return;
    const resting = this.input.book.getOrder(id);
    if (!resting) {
      if (o.status === "open") o.status = o.remaining === 0 && o.filled > 0 ? "filled" : "canceled";
      if (o.status === "filled" || o.remaining === 0) o.remaining = 0;
      this.give(o, o.reserved);
      return;
    }
    o.remaining = resting.remaining;
    o.seq = resting.seq;
    const target = o.side === "buy" ? buyReservation(resting.price, resting.remaining, this.maxBps)! : resting.remaining;
    if (o.reserved > target) this.give(o, o.reserved - target);
  }

  private close(id: string, status: "canceled" | "expired", byMarket?: "expired" | "self_trade"): void {
    const o = this.mutable(id);
    if (!o) return;
    if (byMarket) this.plan.ended.push({ orderId: id, reason: byMarket });
    o.status = status;
    o.remaining = 0;
    this.give(o, o.reserved);
  }

  private hold(o: OrderRow, amount: number): void {
    const row = this.mutable(o.id) ?? o;
    row.reserved += amount;
    const asset = o.side === "buy" ? CURRENCY : this.input.config.itemTypeId;
    this.post(o.playerId, asset, -amount, amount);
    const wallet = o.side === "buy" ? this.input.wallets.currency : this.input.wallets.items;
    wallet.set(o.playerId, (wallet.get(o.playerId) ?? 0) - amount);
  }

  private give(o: OrderRow, amount: number): void {
    if (amount <= 0) return;
    o.reserved -= amount;
    const asset = o.side === "buy" ? CURRENCY : this.input.config.itemTypeId;
    this.post(o.playerId, asset, amount, -amount);
    const wallet = o.side === "buy" ? this.input.wallets.currency : this.input.wallets.items;
    wallet.set(o.playerId, (wallet.get(o.playerId) ?? 0) + amount);
  }

  /** The batch's own copy of an order row, made on first change. */
  private mutable(id: string): OrderRow | undefined {
    let o = this.plan.orders.get(id);
    if (!o) {
      const committed = this.input.open.get(id);
      if (!committed) return undefined;
      o = { ...committed };
      this.plan.orders.set(id, o);
    }
    return o;
  }

  private post(player: string, asset: number, available: number, reserved: number): void {
    this.postings.push({ player, asset, available, reserved });
  }

  private rejected(row: OrderRow, code: number): Answer {
    // Rejections of well-formed orders are kept (status rejected) so a retry returns the same answer.
    const whole = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n > 0;
    const time = (n: number | null) => n === null || (whole(n) && n <= MAX_DATE_MS);
    const known = (row.side === "buy" || row.side === "sell") && (row.kind === "limit" || row.kind === "market");
    const named = typeof row.clientOrderId === "string" && row.clientOrderId.length > 0 && row.clientOrderId.length <= 64;
    const storable = known && named && whole(row.quantity) && (row.price === null || whole(row.price)) && time(row.expiresAt);
    const rejected: OrderRow = { ...row, status: "rejected", remaining: 0, code };
    if (storable) this.plan.orders.set(row.id, rejected);
    return { ...reject(code), order: rejected };
  }

  private entry(command: MarketCommand, answer: Answer): void {
    const supply: SupplyChange[] = this.sunk > 0 ? [{ asset: CURRENCY, sunk: this.sunk }] : [];
    const entry: LedgerEntry = {
      stream: `market:${this.input.config.slug}`,
      type: `order_${command.type === "place" ? "placed" : command.type === "amend" ? "amended" : command.type === "expire" ? "expired" : "canceled"}`,
      postings: this.postings,
      supply,
      data: {
        market: this.input.config.slug,
        orderId: answer.order?.id ?? (command.type === "cancel" || command.type === "amend" ? command.orderId : null),
        playerId: "playerId" in command ? command.playerId : null,
        fills: answer.fills?.map((f) => f.seq) ?? [],
        canceled: answer.canceled ?? [],
      },
    };
    this.plan.entries.push(entry);
  }
}

/** Why a reservation could not be computed: the field that is not a usable whole number. */
function malformed(c: Extract<MarketCommand, { type: "place" }>, budget: number | undefined): number {
  const positive = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n > 0;
  if (!positive(c.quantity)) return EngineCode.INVALID_QUANTITY;
  if (c.orderType === "limit" && !positive(c.price)) return EngineCode.INVALID_PRICE;
  if (c.orderType === "market" && c.side === "buy" && !positive(budget)) {
    // No budget given: it was priceLimit x quantity, which is either not a price or too large.
    if (c.budget !== undefined) return EngineCode.INVALID_BUDGET;
    return positive(c.priceLimit) ? EngineCode.NOTIONAL_OVERFLOW : EngineCode.INVALID_PRICE;
  }
  return EngineCode.NOTIONAL_OVERFLOW;
}

/** The largest epoch millisecond a Date (and a timestamptz) can hold. */
const MAX_DATE_MS = 8_640_000_000_000_000;

/** A command that threw while it was being planned; index is its place in the planned commands. */
export class PoisonedCommand extends Error {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {
    super(`command #${index} could not be planned: ${String(error)}`);
  }
}

function reject(code: number): Answer {
  return { ok: false, code, ...describe(code) };
}

/** A command with a field out of bounds or of the wrong kind: refused alone, the field named. */
export function invalid(problem: string): Answer {
  return { ok: false, code: RoomCode.INVALID_COMMAND, reason: "INVALID_COMMAND", message: problem };
}
