import { ResultCode } from "./codes";
import { stateHash } from "./hash";
import type {
  AmendCommand,
  Book,
  BookConfig,
  BookSnapshot,
  CancelReason,
  Command,
  CommandResult,
  Depth,
  DepthLevel,
  EngineEvent,
  OrderId,
  OrderView,
  PlaceCommand,
  Side,
  StpMode,
} from "./types";
import {
  affordable,
  notionalOverflows,
  reportedOrderId,
  validateAmend,
  validateCancel,
  validateConfig,
  validatePlace,
  validatePlayer,
  validateTime,
} from "./validate";

/**
 * The reference order book: written to be obviously right, not fast. Open orders live in one flat
 * array; "the best resting order" is found by sorting; book deltas are a diff of the aggregated
 * depth before and after each command. The differential tests hold the fast book to its results.
 */

interface RefOrder extends OrderView<OrderId> {
  /** Time priority: smaller is earlier. Renewed when an amend loses priority. */
  priority: number;
}

interface Taker {
  orderId: OrderId;
  playerId: string;
  side: Side;
  /** Worst acceptable price, or null for none. */
  limit: number | null;
  remaining: number;
  filled: number;
  stp: StpMode;
  budget: number | null;
  spent: number;
}

const MAX = Number.MAX_SAFE_INTEGER;

export class ReferenceBook<Id extends OrderId = string> implements Book<Id> {
  readonly config: Readonly<BookConfig>;
  private orders: RefOrder[] = [];
  private nextSeq = 1;
  private nextPriority = 1;
  private events: EngineEvent<OrderId>[] = [];

  constructor(config: BookConfig) {
    validateConfig(config);
    this.config = { tickSize: config.tickSize, lotSize: config.lotSize };
  }

  static fromSnapshot<Id extends OrderId = string>(s: BookSnapshot<Id>): ReferenceBook<Id> {
    const book = new ReferenceBook<Id>({ tickSize: s.tickSize, lotSize: s.lotSize });
    book.nextSeq = s.nextSeq;
    for (const o of [...s.bids, ...s.asks]) {
      book.orders.push({ ...o, priority: book.nextPriority++ });
    }
    return book;
  }

  // ------------------------------------------------------------ commands

  process(command: Command<Id>): CommandResult<Id> {
    this.events = [];
    const before = this.aggregate();
    const result = this.dispatch(command);
    if (result.code === ResultCode.OK) this.emitLevelChanges(before, this.aggregate());
    return { ...result, events: this.events as EngineEvent<Id>[] };
  }

  private dispatch(c: Command<OrderId>): Omit<CommandResult, "events"> {
    switch (c?.type) {
      case "place":
        return this.place(c);
      case "cancel":
        return this.cancel(c.orderId, c.playerId);
      case "amend":
        return this.amend(c);
      case "expire":
        return this.expire(c.now);
      case "cancelAll":
        return this.cancelAll(c.playerId);
      default:
        return this.reject(ResultCode.UNKNOWN_COMMAND, c);
    }
  }

  private place(c: PlaceCommand<OrderId>): Omit<CommandResult, "events"> {
    const { tickSize, lotSize } = this.config;
    const code = validatePlace(c, tickSize, lotSize);
    if (code !== ResultCode.OK) return this.reject(code, c);
    if (this.find(c.orderId)) return this.reject(ResultCode.DUPLICATE_ORDER_ID, c);

    const isLimit = c.orderType === "limit";
    const tif = c.timeInForce ?? (isLimit ? "GTC" : "IOC");
    const canRest = tif === "GTC" || tif === "POST_ONLY";
    const limit = isLimit ? (c.price as number) : (c.priceLimit ?? null);
    if (canRest && this.levelTotal(c.side, c.price as number) + c.quantity > MAX) {
      return this.reject(ResultCode.LEVEL_OVERFLOW, c);
    }
    if (tif === "POST_ONLY" && this.crossingOrders(c.side, limit).length > 0) {
      return this.reject(ResultCode.POST_ONLY_WOULD_CROSS, c);
    }
    const stp = c.stp ?? "none";
    const budget = c.budget ?? null;
    if (tif === "FOK" && this.fillableNow(c.side, limit, c.playerId, stp, budget, c.quantity) < c.quantity) {
      return this.reject(ResultCode.FOK_NOT_FILLABLE, c);
    }

    const seq = this.nextSeq++;
    const clientOrderId = c.clientOrderId ?? null;
    this.events.push({
      type: "accepted",
      orderId: c.orderId,
      playerId: c.playerId,
      clientOrderId,
      side: c.side,
      orderType: c.orderType,
      price: isLimit ? (c.price as number) : null,
      quantity: c.quantity,
      timeInForce: tif,
      seq,
    });
    const taker: Taker = {
      orderId: c.orderId,
      playerId: c.playerId,
      side: c.side,
      limit,
      remaining: c.quantity,
      filled: 0,
      stp,
      budget,
      spent: 0,
    };
    const stoppedBySelfTrade = this.match(taker);
    const price = isLimit ? (c.price as number) : null;
    if (taker.remaining > 0) {
      if (stoppedBySelfTrade) {
        this.canceledEvent(taker.orderId, taker.playerId, taker.side, price, taker.remaining, "self_trade");
      } else if (!canRest) {
        this.canceledEvent(taker.orderId, taker.playerId, taker.side, price, taker.remaining, "ioc");
      } else {
        this.orders.push({
          orderId: c.orderId,
          playerId: c.playerId,
          clientOrderId,
          side: c.side,
          price: c.price as number,
          remaining: taker.remaining,
          filled: taker.filled,
          seq,
          timeInForce: tif === "POST_ONLY" ? "POST_ONLY" : "GTC",
          stp,
          expiresAt: c.expiresAt ?? null,
          priority: this.nextPriority++,
        });
        return { code: ResultCode.OK, filled: taker.filled, remaining: taker.remaining, resting: true };
      }
    }
    return { code: ResultCode.OK, filled: taker.filled, remaining: 0, resting: false };
  }

  private cancel(orderId: OrderId, playerId: string): Omit<CommandResult, "events"> {
    const code = validateCancel(orderId, playerId);
    if (code !== ResultCode.OK) return this.reject(code, { type: "cancel", orderId, playerId });
    const o = this.find(orderId);
    if (!o) return this.reject(ResultCode.ORDER_NOT_FOUND, { type: "cancel", orderId, playerId });
    if (o.playerId !== playerId) return this.reject(ResultCode.NOT_OWNER, { type: "cancel", orderId, playerId });
    this.remove(o);
    this.canceledEvent(o.orderId, o.playerId, o.side, o.price, o.remaining, "user");
    return done();
  }

  private amend(c: AmendCommand<OrderId>): Omit<CommandResult, "events"> {
    const code = validateAmend(c, this.config.tickSize, this.config.lotSize);
    if (code !== ResultCode.OK) return this.reject(code, c);
    const o = this.find(c.orderId);
    if (!o) return this.reject(ResultCode.ORDER_NOT_FOUND, c);
    if (o.playerId !== c.playerId) return this.reject(ResultCode.NOT_OWNER, c);
    const price = c.price ?? o.price;
    const quantity = c.quantity ?? o.remaining;
    if (price === o.price && quantity === o.remaining) return this.reject(ResultCode.NOTHING_TO_AMEND, c);
    if (o.filled + quantity > MAX) return this.reject(ResultCode.LIFETIME_OVERFLOW, c);
    if (notionalOverflows(price, quantity)) return this.reject(ResultCode.NOTIONAL_OVERFLOW, c);
    const levelAfter =
      price === o.price ? this.levelTotal(o.side, price) - o.remaining + quantity : this.levelTotal(o.side, price) + quantity;
    if (levelAfter > MAX) return this.reject(ResultCode.LEVEL_OVERFLOW, c);
    if (o.timeInForce === "POST_ONLY" && this.crossingOrders(o.side, price).length > 0) {
      return this.reject(ResultCode.POST_ONLY_WOULD_CROSS, c);
    }

    const priorityKept = price === o.price && quantity < o.remaining;
    this.events.push({
      type: "amended",
      orderId: o.orderId,
      playerId: o.playerId,
      side: o.side,
      oldPrice: o.price,
      price,
      oldRemaining: o.remaining,
      remaining: quantity,
      priorityKept,
    });
    if (price === o.price) {
      o.remaining = quantity;
      if (!priorityKept) o.priority = this.nextPriority++;
      return { code: ResultCode.OK, filled: 0, remaining: quantity, resting: true };
    }

    // A new price: leave the book, trade as a taker if it crosses, rest what is left at the back.
    this.remove(o);
    o.price = price;
    const taker: Taker = {
      orderId: o.orderId,
      playerId: o.playerId,
      side: o.side,
      limit: price,
      remaining: quantity,
      filled: 0,
      stp: o.stp,
      budget: null,
      spent: 0,
    };
    const stoppedBySelfTrade = this.match(taker);
    o.filled += taker.filled;
    o.remaining = taker.remaining;
    if (o.remaining > 0) {
      if (stoppedBySelfTrade) {
        this.canceledEvent(o.orderId, o.playerId, o.side, o.price, o.remaining, "self_trade");
      } else {
        o.priority = this.nextPriority++;
        this.orders.push(o);
        return { code: ResultCode.OK, filled: taker.filled, remaining: o.remaining, resting: true };
      }
    }
    return { code: ResultCode.OK, filled: taker.filled, remaining: 0, resting: false };
  }

  private expire(now: number): Omit<CommandResult, "events"> {
    const code = validateTime(now);
    if (code !== ResultCode.OK) return this.reject(code, { type: "expire", now });
    const due = this.orders
      .filter((o) => o.expiresAt !== null && o.expiresAt <= now)
      .sort((a, b) => (a.expiresAt as number) - (b.expiresAt as number) || a.seq - b.seq);
    for (const o of due) {
      this.remove(o);
      this.events.push({ type: "expired", orderId: o.orderId, playerId: o.playerId, side: o.side, price: o.price, remaining: o.remaining });
    }
    return done();
  }

  private cancelAll(playerId: string): Omit<CommandResult, "events"> {
    const code = validatePlayer(playerId);
    if (code !== ResultCode.OK) return this.reject(code, { type: "cancelAll", playerId });
    const mine = this.orders.filter((o) => o.playerId === playerId).sort((a, b) => a.seq - b.seq);
    for (const o of mine) {
      this.remove(o);
      this.canceledEvent(o.orderId, o.playerId, o.side, o.price, o.remaining, "cancel_all");
    }
    return done();
  }

  // ------------------------------------------------------------ matching

  /** Resting orders the taker could trade with, best first (price, then time). */
  private crossingOrders(takerSide: Side, limit: number | null): RefOrder[] {
    const makers = this.orders.filter(
      (o) =>
        o.side !== takerSide &&
        (limit === null || (takerSide === "buy" ? o.price <= limit : o.price >= limit)),
    );
    return makers.sort((a, b) => (takerSide === "buy" ? a.price - b.price : b.price - a.price) || a.priority - b.priority);
  }

  /** Trade the taker against the book. Returns true if self-trade prevention stopped the taker. */
  private match(t: Taker): boolean {
    while (t.remaining > 0) {
      const maker = this.crossingOrders(t.side, t.limit)[0];
      if (!maker) return false;
      let most = Math.min(t.remaining, maker.remaining);
      if (t.budget !== null) {
        const canPay = affordable(t.budget - t.spent, maker.price, this.config.lotSize);
        if (canPay === 0) return false;
        most = Math.min(most, canPay);
      }
      if (maker.playerId === t.playerId && t.stp !== "none") {
        if (t.stp === "cancel_taker") return true;
        this.remove(maker);
        this.canceledEvent(maker.orderId, maker.playerId, maker.side, maker.price, maker.remaining, "self_trade");
        if (t.stp === "cancel_both") return true;
        continue;
      }
      maker.remaining -= most;
      maker.filled += most;
      t.remaining -= most;
      t.filled += most;
      t.spent += most * maker.price;
      if (maker.remaining === 0) this.remove(maker);
      this.events.push({
        type: "fill",
        makerOrderId: maker.orderId,
        takerOrderId: t.orderId,
        makerPlayerId: maker.playerId,
        takerPlayerId: t.playerId,
        price: maker.price,
        quantity: most,
        takerSide: t.side,
        makerRemaining: maker.remaining,
        takerRemaining: t.remaining,
      });
    }
    return false;
  }

  /** How much a FOK taker would fill right now, following the same rules as match(). */
  private fillableNow(side: Side, limit: number | null, playerId: string, stp: StpMode, budget: number | null, want: number): number {
    let got = 0;
    let spent = 0;
    for (const maker of this.crossingOrders(side, limit)) {
      if (got >= want) break;
      let most = Math.min(want - got, maker.remaining);
      if (budget !== null) {
        const canPay = affordable(budget - spent, maker.price, this.config.lotSize);
        if (canPay === 0) break;
        most = Math.min(most, canPay);
      }
      if (maker.playerId === playerId && stp !== "none") {
        if (stp === "cancel_maker") continue;
        break;
      }
      got += most;
      spent += most * maker.price;
    }
    return got;
  }

  // ------------------------------------------------------------ helpers

  private find(orderId: OrderId): RefOrder | undefined {
    return this.orders.find((o) => o.orderId === orderId);
  }

  private remove(o: RefOrder): void {
    this.orders = this.orders.filter((x) => x !== o);
  }

  private levelTotal(side: Side, price: number): number {
    let total = 0;
    for (const o of this.orders) if (o.side === side && o.price === price) total += o.remaining;
    return total;
  }

  private canceledEvent(orderId: OrderId, playerId: string, side: Side, price: number | null, remaining: number, reason: CancelReason): void {
    this.events.push({ type: "canceled", orderId, playerId, side, price, remaining, reason });
  }

  private reject(code: ResultCode, c: unknown): Omit<CommandResult, "events"> {
    const cmd = (c ?? {}) as Record<string, unknown>;
    this.events.push({
      type: "rejected",
      code,
      command: typeof cmd.type === "string" ? cmd.type : "unknown",
      orderId: reportedOrderId(cmd.orderId),
      playerId: typeof cmd.playerId === "string" ? cmd.playerId : null,
    });
    return { code, filled: 0, remaining: 0, resting: false };
  }

  /** side -> price -> total open quantity */
  private aggregate(): Record<Side, Map<number, number>> {
    const agg = { buy: new Map<number, number>(), sell: new Map<number, number>() };
    for (const o of this.orders) agg[o.side].set(o.price, (agg[o.side].get(o.price) ?? 0) + o.remaining);
    return agg;
  }

  private emitLevelChanges(before: Record<Side, Map<number, number>>, after: Record<Side, Map<number, number>>): void {
    for (const side of ["buy", "sell"] as const) {
      const prices = [...new Set([...before[side].keys(), ...after[side].keys()])];
      prices.sort((a, b) => (side === "buy" ? b - a : a - b));
      for (const price of prices) {
        const total = after[side].get(price) ?? 0;
        if (total !== (before[side].get(price) ?? 0)) this.events.push({ type: "level", side, price, total });
      }
    }
  }

  // ------------------------------------------------------------ queries

  private sorted(side: Side): RefOrder[] {
    return this.orders
      .filter((o) => o.side === side)
      .sort((a, b) => (side === "buy" ? b.price - a.price : a.price - b.price) || a.priority - b.priority);
  }

  bestBid(): number | undefined {
    return this.sorted("buy")[0]?.price;
  }

  bestAsk(): number | undefined {
    return this.sorted("sell")[0]?.price;
  }

  depth(levels = Infinity): Depth {
    const side = (s: Side): DepthLevel[] => {
      const out: DepthLevel[] = [];
      for (const o of this.sorted(s)) {
        const last = out[out.length - 1];
        if (last && last.price === o.price) {
          last.quantity += o.remaining;
          last.orders++;
        } else {
          if (out.length >= levels) break;
          out.push({ price: o.price, quantity: o.remaining, orders: 1 });
        }
      }
      return out;
    };
    return { bids: side("buy"), asks: side("sell") };
  }

  getOrder(orderId: Id): OrderView<Id> | undefined {
    const o = this.find(orderId);
    return o ? (view(o) as OrderView<Id>) : undefined;
  }

  size(): number {
    return this.orders.length;
  }

  nextExpiry(): number | undefined {
    let min: number | undefined;
    for (const o of this.orders) if (o.expiresAt !== null && (min === undefined || o.expiresAt < min)) min = o.expiresAt;
    return min;
  }

  snapshot(): BookSnapshot<Id> {
    return <BookSnapshot<Id>>{
      version: 1,
      tickSize: this.config.tickSize,
      lotSize: this.config.lotSize,
      nextSeq: this.nextSeq,
      bids: this.sorted("buy").map(view),
      asks: this.sorted("sell").map(view),
    };
  }

  stateHash(): string {
    return stateHash(this.snapshot());
  }

  clone(): ReferenceBook<Id> {
    return ReferenceBook.fromSnapshot(this.snapshot());
  }
}

function view(o: RefOrder): OrderView<OrderId> {
  return {
    orderId: o.orderId,
    playerId: o.playerId,
    clientOrderId: o.clientOrderId,
    side: o.side,
    price: o.price,
    remaining: o.remaining,
    filled: o.filled,
    seq: o.seq,
    timeInForce: o.timeInForce,
    stp: o.stp,
    expiresAt: o.expiresAt,
  };
}

function done(): Omit<CommandResult, "events"> {
  return { code: ResultCode.OK, filled: 0, remaining: 0, resting: false };
}
