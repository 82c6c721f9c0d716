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
  TimeInForce,
} from "./types";
import {
  affordable,
  checkPrice,
  checkQuantity,
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
 * The fast order book (see docs/decisions/010-engine-representation.md).
 *
 * - Each open order is one node in two intrusive doubly linked lists: its price level (time
 *   priority) and its player's orders (for cancelAll). A Map from orderId finds the node, so cancel
 *   and amend-down are O(1): no scan of a level.
 * - Each side keeps its non-empty levels in a Map(price -> level) plus an array sorted worst -> best,
 *   so the best level is the last element (push/pop at the top of book). Adding or removing a level
 *   costs a binary search plus moving the levels between it and the top of the book: it depends on
 *   the number of levels, never on the number of orders resting at other levels.
 * - Expiry is a binary heap ordered by (expiresAt, seq) with lazy deletion: cancel stays O(1).
 * - Events are pushed into a fresh array per command while matching; level deltas are collected
 *   (each touched level once) and emitted at the end, so a sweep through many fills yields one delta
 *   per level.
 */

const MAX = Number.MAX_SAFE_INTEGER;

const STP_NONE = 0;
const STP_CANCEL_TAKER = 1;
const STP_CANCEL_MAKER = 2;
const STP_CANCEL_BOTH = 3;

function stpCode(stp: StpMode): number {
  return stp === "none" ? STP_NONE : stp === "cancel_taker" ? STP_CANCEL_TAKER : stp === "cancel_maker" ? STP_CANCEL_MAKER : STP_CANCEL_BOTH;
}

/** An open order: a node in its level's list and in its player's list. Nodes are pooled and reused. */
class Order {
  prev: Order | null = null;
  next: Order | null = null;
  /** Previous / next order of the same player, in seq order. */
  pPrev: Order | null = null;
  pNext: Order | null = null;
  level: Level | null = null;
  player: PlayerOrders | null = null;
  /** Used by clone() only. */
  twin: Order | null = null;
  live = false;
  id: OrderId = "";
  playerId = "";
  clientOrderId: string | null = null;
  isBuy = false;
  price = 0;
  remaining = 0;
  filled = 0;
  seq = 0;
  postOnly = false;
  stp: StpMode = "none";
  stpCode = 0;
  /** -1 when the order has no expiry (hasExpiry tells them apart from a real -1). */
  expiresAt = -1;
  hasExpiry = false;

  init(
    id: OrderId,
    playerId: string,
    clientOrderId: string | null,
    isBuy: boolean,
    price: number,
    remaining: number,
    filled: number,
    seq: number,
    postOnly: boolean,
    stp: StpMode,
    expiresAt: number,
    hasExpiry: boolean,
  ): this {
    this.live = true;
    this.id = id;
    this.playerId = playerId;
    this.clientOrderId = clientOrderId;
    this.isBuy = isBuy;
    this.price = price;
    this.remaining = remaining;
    this.filled = filled;
    this.seq = seq;
    this.postOnly = postOnly;
    this.stp = stp;
    this.stpCode = stpCode(stp);
    this.expiresAt = expiresAt;
    this.hasExpiry = hasExpiry;
    return this;
  }
}

class Level {
  head: Order | null = null;
  tail: Order | null = null;
  total = 0;
  count = 0;
  /** The command (epoch) that last touched this level, and its total before that command. */
  epoch = 0;
  startTotal = 0;

  constructor(
    public price: number,
    public isBuy: boolean,
  ) {}
}

/** Free nodes, reused so that a busy book allocates (and the GC copies) few long-lived objects. */
class Pool {
  readonly orders: Order[] = [];
  readonly levels: Level[] = [];
  /** Closed during the current command: reusable once its events are out. */
  private readonly closedOrders: (Order | null)[] = [];
  private readonly closedLevels: (Level | null)[] = [];
  private nClosedOrders = 0;
  private nClosedLevels = 0;

  closeOrder(o: Order): void {
    this.closedOrders[this.nClosedOrders++] = o;
  }

  closeLevel(l: Level): void {
    this.closedLevels[this.nClosedLevels++] = l;
  }

  order(): Order {
    return this.orders.pop() ?? new Order();
  }

  level(price: number, isBuy: boolean): Level {
    const l = this.levels.pop();
    if (l === undefined) return new Level(price, isBuy);
    l.price = price;
    l.isBuy = isBuy;
    l.epoch = 0;
    return l;
  }

  /** End of a command: closed nodes become reusable (up to a cap; the rest goes to the GC). */
  recycle(): void {
    const co = this.closedOrders;
    for (let i = 0; i < this.nClosedOrders; i++) {
      if (this.orders.length < 65_536) this.orders.push(co[i] as Order);
      co[i] = null;
    }
    this.nClosedOrders = 0;
    const cl = this.closedLevels;
    for (let i = 0; i < this.nClosedLevels; i++) {
      if (this.levels.length < 4_096) this.levels.push(cl[i] as Level);
      cl[i] = null;
    }
    this.nClosedLevels = 0;
  }
}

/**
 * Open orders by id. String ids go through a Map; numeric ids (non-negative safe integers) through
 * an open-addressing table of typed keys (linear probing, Fibonacci hashing, backward-shift
 * deletion, load <= 1/2): a lookup reads one line of keys and one of values, where a Map of
 * strings also reads the key string, a bucket and an entry (ADR 010, docs/PERFORMANCE.md).
 */
class OrderIndex {
  private readonly byString = new Map<string, Order>();
  /** -1: empty slot. */
  private keys = new Float64Array(1024).fill(-1);
  private vals: (Order | null)[] = new Array<Order | null>(1024).fill(null);
  private mask = 1023;
  private shift = 22;
  private count = 0;

  get size(): number {
    return this.byString.size + this.count;
  }

  private home(id: number): number {
    const lo = id >>> 0;
    const hi = (id / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  get(id: OrderId): Order | undefined {
    if (typeof id === "string") return this.byString.get(id);
    // Not validated yet on the cancel path: -1 (the empty key), NaN, undefined are never found.
    if (!(id >= 0)) return undefined;
    const keys = this.keys;
    const mask = this.mask;
    for (let i = this.home(id); ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === id) return this.vals[i] as Order;
      if (k === -1) return undefined;
    }
  }

  has(id: OrderId): boolean {
    return this.get(id) !== undefined;
  }

  /** The id must not be present. */
  set(id: OrderId, o: Order): void {
    if (typeof id === "string") {
      this.byString.set(id, o);
      return;
    }
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    const mask = this.mask;
    let i = this.home(id);
    while (keys[i] !== -1) i = (i + 1) & mask;
    keys[i] = id;
    this.vals[i] = o;
    this.count++;
  }

  delete(id: OrderId): void {
    if (typeof id === "string") {
      this.byString.delete(id);
      return;
    }
    if (!(id >= 0)) return;
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(id);
    for (;;) {
      const k = keys[i] as number;
      if (k === id) break;
      if (k === -1) return;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: move later entries of the cluster into the hole when their home
    // slot is not cyclically within (hole, their slot]; no tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j] as number;
      if (k === -1) break;
      const h = this.home(k);
      if (i <= j ? i < h && h <= j : i < h || h <= j) continue;
      keys[i] = k;
      vals[i] = vals[j] as Order;
      i = j;
    }
    keys[i] = -1;
    vals[i] = null;
    this.count--;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = oldKeys.length * 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.vals = new Array<Order | null>(cap).fill(null);
    this.mask = cap - 1;
    this.shift--;
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i] as number;
      if (k !== -1) this.set(k, oldVals[i] as Order);
    }
  }
}

class PlayerOrders {
  head: Order | null = null;
  tail: Order | null = null;
  count = 0;
}

class BookSide {
  /** Non-empty levels sorted worst -> best: bids ascending, asks descending. Best is last. */
  readonly levels: Level[] = [];
  readonly byPrice = new Map<number, Level>();

  constructor(
    readonly isBuy: boolean,
    private readonly pool: Pool,
  ) {}

  best(): Level | undefined {
    return this.levels[this.levels.length - 1];
  }

  /** Index of the first level that is better than `price` (where a level at `price` goes). */
  private position(price: number): number {
    const levels = this.levels;
    let lo = 0;
    let hi = levels.length;
    const isBuy = this.isBuy;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = (levels[mid] as Level).price;
      if (isBuy ? p < price : p > price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(price: number): Level {
    const level = this.pool.level(price, this.isBuy);
    const levels = this.levels;
    const n = levels.length;
    const last = levels[n - 1];
    if (last === undefined || (this.isBuy ? price > last.price : price < last.price)) {
      levels.push(level);
    } else {
      const at = this.position(price);
      levels.push(level);
      for (let i = n; i > at; i--) levels[i] = levels[i - 1] as Level;
      levels[at] = level;
    }
    this.byPrice.set(price, level);
    return level;
  }

  remove(level: Level): void {
    const levels = this.levels;
    const n = levels.length;
    if (levels[n - 1] !== level) {
      const at = this.position(level.price);
      for (let i = at; i < n - 1; i++) levels[i] = levels[i + 1] as Level;
    }
    levels.pop();
    this.byPrice.delete(level.price);
    level.head = null;
    level.tail = null;
    this.pool.closeLevel(level);
  }
}

class Result implements CommandResult<OrderId> {
  constructor(
    readonly code: ResultCode,
    readonly events: EngineEvent<OrderId>[],
    readonly filled: number,
    readonly remaining: number,
    readonly resting: boolean,
  ) {}
}

export class OrderBook<Id extends OrderId = string> implements Book<Id> {
  readonly config: Readonly<BookConfig>;
  private readonly tick: number;
  private readonly lot: number;
  private readonly pool = new Pool();
  private readonly bids = new BookSide(true, this.pool);
  private readonly asks = new BookSide(false, this.pool);
  private readonly orders = new OrderIndex();
  private readonly players = new Map<string, PlayerOrders>();
  private nextSeq = 1;

  /** Orders with an expiry, a min-heap on (expiresAt, seq); entries of closed orders are skipped. */
  private heap: Order[] = [];
  private deadInHeap = 0;

  // Per-command scratch state.
  /** Events of the current command; copied out (exact length) at its end. */
  private readonly ev: (EngineEvent<OrderId> | null)[] = [];
  private evN = 0;
  private epoch = 0;
  private readonly touched: (Level | null)[] = [];
  private touchedCount = 0;
  private stopped = false;
  private rFilled = 0;
  private rRemaining = 0;
  private rResting = false;

  constructor(config: BookConfig) {
    validateConfig(config);
    this.config = { tickSize: config.tickSize, lotSize: config.lotSize };
    this.tick = config.tickSize;
    this.lot = config.lotSize;
  }

  /**
   * Apply one command. Never throws for a bad command: the code says what went wrong. The events
   * array is fresh for every call and belongs to the caller.
   */
  process(command: Command<Id>): CommandResult<Id> {
    const c = command as Command<OrderId>;
    this.evN = 0;
    this.epoch++;
    this.rFilled = 0;
    this.rRemaining = 0;
    this.rResting = false;
    this.stopped = false;
    let code: ResultCode;
    switch (c?.type) {
      case "place":
        code = this.place(c);
        break;
      case "cancel":
        code = this.cancel(c.orderId, c.playerId);
        break;
      case "amend":
        code = this.amend(c);
        break;
      case "expire":
        code = this.expire(c.now);
        break;
      case "cancelAll":
        code = this.cancelAll(c.playerId);
        break;
      default:
        code = this.reject(ResultCode.UNKNOWN_COMMAND, c);
    }
    if (this.touchedCount > 0) this.flushLevels();
    const ev = this.ev;
    const n = this.evN;
    const events = ev.slice(0, n) as EngineEvent<OrderId>[];
    for (let i = 0; i < n; i++) ev[i] = null;
    this.pool.recycle();
    return new Result(code, events, this.rFilled, this.rRemaining, this.rResting) as CommandResult<Id>;
  }

  // ------------------------------------------------------------ place

  private place(c: PlaceCommand<OrderId>): ResultCode {
    const code = validatePlace(c, this.tick, this.lot);
    if (code !== ResultCode.OK) return this.reject(code, c);
    if (this.orders.has(c.orderId)) return this.reject(ResultCode.DUPLICATE_ORDER_ID, c);

    const isBuy = c.side === "buy";
    const isLimit = c.orderType === "limit";
    const tif: TimeInForce = c.timeInForce ?? (isLimit ? "GTC" : "IOC");
    const canRest = tif === "GTC" || tif === "POST_ONLY";
    const quantity = c.quantity;
    const own = isBuy ? this.bids : this.asks;
    const opp = isBuy ? this.asks : this.bids;
    const limitPrice = isLimit ? (c.price as number) : (c.priceLimit ?? (isBuy ? Infinity : -Infinity));

    let ownLevel: Level | undefined;
    if (canRest) {
      ownLevel = own.byPrice.get(limitPrice);
      if (ownLevel !== undefined && ownLevel.total + quantity > MAX) return this.reject(ResultCode.LEVEL_OVERFLOW, c);
    }
    const oppBest = opp.best();
    const crosses = oppBest !== undefined && (isBuy ? oppBest.price <= limitPrice : oppBest.price >= limitPrice);
    if (tif === "POST_ONLY" && crosses) return this.reject(ResultCode.POST_ONLY_WOULD_CROSS, c);
    const stp = c.stp ?? "none";
    const stpC = stpCode(stp);
    const budget = c.budget ?? -1;
    if (tif === "FOK" && (!crosses || this.fillableNow(opp, isBuy, limitPrice, c.playerId, stpC, budget, quantity) < quantity)) {
      return this.reject(ResultCode.FOK_NOT_FILLABLE, c);
    }

    const seq = this.nextSeq++;
    const clientOrderId = c.clientOrderId ?? null;
    this.emit({
      type: "accepted",
      orderId: c.orderId,
      playerId: c.playerId,
      clientOrderId,
      side: c.side,
      orderType: c.orderType,
      price: isLimit ? limitPrice : null,
      quantity,
      timeInForce: tif,
      seq,
    });

    let remaining = quantity;
    if (crosses) {
      remaining = this.match(opp, isBuy, limitPrice, quantity, c.orderId, c.playerId, stpC, budget);
    }
    const filled = quantity - remaining;
    this.rFilled = filled;
    if (remaining === 0) return ResultCode.OK;
    if (this.stopped || !canRest) {
      this.emit({
        type: "canceled",
        orderId: c.orderId,
        playerId: c.playerId,
        side: c.side,
        price: isLimit ? limitPrice : null,
        remaining,
        reason: this.stopped ? "self_trade" : "ioc",
      });
      return ResultCode.OK;
    }

    const expiresAt = c.expiresAt;
    const o = this.pool
      .order()
      .init(c.orderId, c.playerId, clientOrderId, isBuy, limitPrice, remaining, filled, seq, tif === "POST_ONLY", stp, expiresAt ?? -1, expiresAt !== undefined);
    this.rest(o, own, ownLevel);
    this.addToPlayer(o);
    this.orders.set(o.id, o);
    if (o.hasExpiry) this.heapPush(o);
    this.rRemaining = remaining;
    this.rResting = true;
    return ResultCode.OK;
  }

  /**
   * Trade a taker against `opp`, best level first, time priority within a level. Returns the
   * taker's remaining quantity; sets this.stopped when self-trade prevention stopped the taker.
   */
  private match(
    opp: BookSide,
    isBuy: boolean,
    limitPrice: number,
    quantity: number,
    takerId: OrderId,
    takerPlayerId: string,
    stp: number,
    budget: number,
  ): number {
    const levels = opp.levels;
    const takerSide: Side = isBuy ? "buy" : "sell";
    const hasBudget = budget >= 0;
    let rem = quantity;
    let spent = 0;
    let stop = false;
    this.stopped = false;
    while (rem > 0 && !stop) {
      const n = levels.length;
      if (n === 0) break;
      const lvl = levels[n - 1] as Level;
      const price = lvl.price;
      if (isBuy ? price > limitPrice : price < limitPrice) break;
      let afford = rem;
      if (hasBudget) {
        afford = affordable(budget - spent, price, this.lot);
        if (afford === 0) break;
        if (afford > rem) afford = rem;
      }
      this.touch(lvl);
      let o = lvl.head;
      while (o !== null) {
        const next = o.next;
        if (stp !== STP_NONE && o.playerId === takerPlayerId) {
          if (stp === STP_CANCEL_TAKER) {
            stop = true;
            break;
          }
          lvl.total -= o.remaining;
          this.unlink(o, lvl);
          this.forget(o);
          this.canceledEvent(o, "self_trade");
          o = next;
          if (stp === STP_CANCEL_BOTH) {
            stop = true;
            break;
          }
          continue;
        }
        const q = o.remaining < afford ? o.remaining : afford;
        o.remaining -= q;
        o.filled += q;
        lvl.total -= q;
        rem -= q;
        afford -= q;
        if (hasBudget) spent += q * price;
        this.emit({
          type: "fill",
          makerOrderId: o.id,
          takerOrderId: takerId,
          makerPlayerId: o.playerId,
          takerPlayerId,
          price,
          quantity: q,
          takerSide,
          makerRemaining: o.remaining,
          takerRemaining: rem,
        });
        if (o.remaining === 0) {
          this.unlink(o, lvl);
          this.forget(o);
        }
        if (afford === 0) break;
        o = next;
      }
      if (lvl.count === 0) opp.remove(lvl);
      // A spent budget cannot pay for a lot at this price, nor at the worse prices that follow.
      if (hasBudget && afford === 0) break;
    }
    this.stopped = stop;
    return rem;
  }

  /** How much a FOK taker would fill now, by the same rules as match(), without changing anything. */
  private fillableNow(
    opp: BookSide,
    isBuy: boolean,
    limitPrice: number,
    playerId: string,
    stp: number,
    budget: number,
    want: number,
  ): number {
    const levels = opp.levels;
    let got = 0;
    let spent = 0;
    for (let i = levels.length - 1; i >= 0 && got < want; i--) {
      const lvl = levels[i] as Level;
      const price = lvl.price;
      if (isBuy ? price > limitPrice : price < limitPrice) break;
      if (stp === STP_NONE && budget < 0) {
        got += lvl.total;
        continue;
      }
      for (let o = lvl.head; o !== null && got < want; o = o.next) {
        let q = Math.min(want - got, o.remaining);
        if (budget >= 0) {
          const canPay = affordable(budget - spent, price, this.lot);
          if (canPay === 0) return got;
          if (canPay < q) q = canPay;
        }
        if (stp !== STP_NONE && o.playerId === playerId) {
          if (stp === STP_CANCEL_MAKER) continue;
          return got;
        }
        got += q;
        spent += q * price;
      }
    }
    return got;
  }

  // ------------------------------------------------------------ cancel / amend

  private cancel(orderId: OrderId, playerId: string): ResultCode {
    const o = this.orders.get(orderId);
    if (o === undefined) {
      const code = validateCancel(orderId, playerId);
      return this.reject(code !== ResultCode.OK ? code : ResultCode.ORDER_NOT_FOUND, { type: "cancel", orderId, playerId });
    }
    if (o.playerId !== playerId) {
      const code = validateCancel(orderId, playerId);
      return this.reject(code !== ResultCode.OK ? code : ResultCode.NOT_OWNER, { type: "cancel", orderId, playerId });
    }
    this.closeOrder(o);
    this.canceledEvent(o, "user");
    return ResultCode.OK;
  }

  private amend(c: AmendCommand<OrderId>): ResultCode {
    const code = validateAmend(c, this.tick, this.lot);
    if (code !== ResultCode.OK) return this.reject(code, c);
    const o = this.orders.get(c.orderId);
    if (o === undefined) return this.reject(ResultCode.ORDER_NOT_FOUND, c);
    if (o.playerId !== c.playerId) return this.reject(ResultCode.NOT_OWNER, c);
    const oldPrice = o.price;
    const oldRemaining = o.remaining;
    const price = c.price ?? oldPrice;
    const quantity = c.quantity ?? oldRemaining;
    if (price === oldPrice && quantity === oldRemaining) return this.reject(ResultCode.NOTHING_TO_AMEND, c);
    if (notionalOverflows(price, quantity)) return this.reject(ResultCode.NOTIONAL_OVERFLOW, c);
    const own = o.isBuy ? this.bids : this.asks;
    const level = o.level as Level;
    if (price === oldPrice) {
      if (level.total - oldRemaining + quantity > MAX) return this.reject(ResultCode.LEVEL_OVERFLOW, c);
    } else {
      const target = own.byPrice.get(price);
      if (target !== undefined && target.total + quantity > MAX) return this.reject(ResultCode.LEVEL_OVERFLOW, c);
    }
    const opp = o.isBuy ? this.asks : this.bids;
    const oppBest = opp.best();
    const crosses = oppBest !== undefined && (o.isBuy ? oppBest.price <= price : oppBest.price >= price);
    if (o.postOnly && crosses) return this.reject(ResultCode.POST_ONLY_WOULD_CROSS, c);

    const priorityKept = price === oldPrice && quantity < oldRemaining;
    const side: Side = o.isBuy ? "buy" : "sell";
    this.emit({
      type: "amended",
      orderId: o.id,
      playerId: o.playerId,
      side,
      oldPrice,
      price,
      oldRemaining,
      remaining: quantity,
      priorityKept,
    });

    if (price === oldPrice) {
      this.touch(level);
      level.total += quantity - oldRemaining;
      o.remaining = quantity;
      if (!priorityKept && level.tail !== o) {
        this.unlink(o, level);
        this.append(o, level);
      }
      this.rRemaining = quantity;
      this.rResting = true;
      return ResultCode.OK;
    }

    // New price: leave the old level, trade if it crosses, rest the remainder at the back.
    this.touch(level);
    level.total -= oldRemaining;
    this.unlink(o, level);
    if (level.count === 0) own.remove(level);
    o.price = price;
    let remaining = quantity;
    if (crosses) remaining = this.match(opp, o.isBuy, price, quantity, o.id, o.playerId, o.stpCode, -1);
    const filled = quantity - remaining;
    o.filled += filled;
    o.remaining = remaining;
    this.rFilled = filled;
    if (remaining === 0) {
      this.forget(o);
      return ResultCode.OK;
    }
    if (crosses && this.stopped) {
      this.forget(o);
      this.canceledEvent(o, "self_trade");
      return ResultCode.OK;
    }
    this.rest(o, own, own.byPrice.get(price));
    this.rRemaining = remaining;
    this.rResting = true;
    return ResultCode.OK;
  }

  // ------------------------------------------------------------ expire / cancelAll

  private expire(now: number): ResultCode {
    const code = validateTime(now);
    if (code !== ResultCode.OK) return this.reject(code, { type: "expire", now });
    const heap = this.heap;
    while (heap.length > 0) {
      const top = heap[0] as Order;
      if (top.live && top.expiresAt > now) break;
      this.heapPop();
      if (!top.live) {
        this.deadInHeap--;
        continue;
      }
      this.closeOrder(top, false);
      this.emit({
        type: "expired",
        orderId: top.id,
        playerId: top.playerId,
        side: top.isBuy ? "buy" : "sell",
        price: top.price,
        remaining: top.remaining,
      });
    }
    return ResultCode.OK;
  }

  private cancelAll(playerId: string): ResultCode {
    const code = validatePlayer(playerId);
    if (code !== ResultCode.OK) return this.reject(code, { type: "cancelAll", playerId });
    const p = this.players.get(playerId);
    if (p === undefined) return ResultCode.OK;
    let o = p.head;
    while (o !== null) {
      const next = o.pNext;
      this.closeOrder(o);
      this.canceledEvent(o, "cancel_all");
      o = next;
    }
    return ResultCode.OK;
  }

  // ------------------------------------------------------------ structure

  private emit(e: EngineEvent<OrderId>): void {
    this.ev[this.evN++] = e;
  }

  private touch(level: Level): void {
    if (level.epoch !== this.epoch) {
      level.epoch = this.epoch;
      level.startTotal = level.total;
      this.touched[this.touchedCount++] = level;
    }
  }

  /** Emit one level event per touched level whose total changed: bids best-first, then asks. */
  private flushLevels(): void {
    const t = this.touched;
    const n = this.touchedCount;
    this.touchedCount = 0;
    for (let i = 1; i < n; i++) {
      const x = t[i] as Level;
      let j = i - 1;
      while (j >= 0 && levelBefore(x, t[j] as Level)) {
        t[j + 1] = t[j] as Level;
        j--;
      }
      t[j + 1] = x;
    }
    for (let i = 0; i < n; i++) {
      const l = t[i] as Level;
      t[i] = null;
      if (l.total !== l.startTotal) this.emit({ type: "level", side: l.isBuy ? "buy" : "sell", price: l.price, total: l.total });
    }
  }

  /** Put an order at the back of its price level (creating the level if needed). */
  private rest(o: Order, own: BookSide, level: Level | undefined): void {
    if (level === undefined) level = own.add(o.price);
    this.touch(level);
    level.total += o.remaining;
    this.append(o, level);
  }

  private append(o: Order, level: Level): void {
    o.level = level;
    o.next = null;
    o.prev = level.tail;
    if (level.tail === null) level.head = o;
    else level.tail.next = o;
    level.tail = o;
    level.count++;
  }

  private unlink(o: Order, level: Level): void {
    const prev = o.prev;
    const next = o.next;
    if (prev === null) level.head = next;
    else prev.next = next;
    if (next === null) level.tail = prev;
    else next.prev = prev;
    o.prev = null;
    o.next = null;
    o.level = null;
    level.count--;
  }

  /** Take an open order off the book entirely (level, index, player list). */
  private closeOrder(o: Order, countHeap = true): void {
    const level = o.level as Level;
    this.touch(level);
    level.total -= o.remaining;
    this.unlink(o, level);
    if (level.count === 0) (o.isBuy ? this.bids : this.asks).remove(level);
    this.forget(o, countHeap);
  }

  /** Drop an order that is off its level from the index, its player's list and the expiry heap. */
  private forget(o: Order, countHeap = true): void {
    o.live = false;
    this.orders.delete(o.id);
    const p = o.player as PlayerOrders;
    const prev = o.pPrev;
    const next = o.pNext;
    if (prev === null) p.head = next;
    else prev.pNext = next;
    if (next === null) p.tail = prev;
    else next.pPrev = prev;
    o.pPrev = null;
    o.pNext = null;
    o.player = null;
    // Records stay when count reaches 0: a player trading on and off does not churn the map.
    p.count--;
    if (o.hasExpiry) {
      // The expiry heap may still hold it (lazy deletion): never reuse such a node.
      if (countHeap) {
        this.deadInHeap++;
        if (this.deadInHeap > 64 && this.deadInHeap * 2 > this.heap.length) this.compactHeap();
      }
    } else {
      this.pool.closeOrder(o);
    }
  }

  private addToPlayer(o: Order): void {
    let p = this.players.get(o.playerId);
    if (p === undefined) {
      p = new PlayerOrders();
      this.players.set(o.playerId, p);
    }
    o.player = p;
    o.pPrev = p.tail;
    if (p.tail === null) p.head = o;
    else p.tail.pNext = o;
    p.tail = o;
    p.count++;
  }

  private canceledEvent(o: Order, reason: CancelReason): void {
    this.emit({
      type: "canceled",
      orderId: o.id,
      playerId: o.playerId,
      side: o.isBuy ? "buy" : "sell",
      price: o.price,
      remaining: o.remaining,
      reason,
    });
  }

  private reject(code: ResultCode, c: unknown): ResultCode {
    const cmd = (c ?? {}) as Record<string, unknown>;
    this.emit({
      type: "rejected",
      code,
      command: typeof cmd.type === "string" ? cmd.type : "unknown",
      orderId: reportedOrderId(cmd.orderId),
      playerId: typeof cmd.playerId === "string" ? cmd.playerId : null,
    });
    return code;
  }

  // ------------------------------------------------------------ expiry heap

  private heapPush(o: Order): void {
    const h = this.heap;
    let i = h.length;
    h.push(o);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as Order;
      if (!expiresBefore(o, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = o;
  }

  private heapPop(): void {
    const h = this.heap;
    const last = h.pop() as Order;
    if (h.length > 0) {
      h[0] = last;
      this.siftDown(0);
    }
  }

  private siftDown(start: number): void {
    const h = this.heap;
    const n = h.length;
    const x = h[start] as Order;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && expiresBefore(h[r] as Order, h[l] as Order) ? r : l;
      const child = h[c] as Order;
      if (!expiresBefore(child, x)) break;
      h[i] = child;
      i = c;
    }
    h[i] = x;
  }

  private compactHeap(): void {
    this.heap = this.heap.filter((o) => o.live);
    this.deadInHeap = 0;
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  // ------------------------------------------------------------ queries

  bestBid(): number | undefined {
    return this.bids.best()?.price;
  }

  bestAsk(): number | undefined {
    return this.asks.best()?.price;
  }

  depth(levels = Infinity): Depth {
    const side = (s: BookSide): DepthLevel[] => {
      const out: DepthLevel[] = [];
      for (let i = s.levels.length - 1; i >= 0 && out.length < levels; i--) {
        const l = s.levels[i] as Level;
        out.push({ price: l.price, quantity: l.total, orders: l.count });
      }
      return out;
    };
    return { bids: side(this.bids), asks: side(this.asks) };
  }

  getOrder(orderId: Id): OrderView<Id> | undefined {
    const o = this.orders.get(orderId);
    return o === undefined ? undefined : (view(o) as OrderView<Id>);
  }

  size(): number {
    return this.orders.size;
  }

  nextExpiry(): number | undefined {
    const h = this.heap;
    while (h.length > 0 && !(h[0] as Order).live) {
      this.heapPop();
      this.deadInHeap--;
    }
    return h.length > 0 ? (h[0] as Order).expiresAt : undefined;
  }

  snapshot(): BookSnapshot<Id> {
    const side = (s: BookSide): OrderView<Id>[] => {
      const out: OrderView<Id>[] = [];
      for (let i = s.levels.length - 1; i >= 0; i--) {
        for (let o = (s.levels[i] as Level).head; o !== null; o = o.next) out.push(view(o) as OrderView<Id>);
      }
      return out;
    };
    return {
      version: 1,
      tickSize: this.tick,
      lotSize: this.lot,
      nextSeq: this.nextSeq,
      bids: side(this.bids),
      asks: side(this.asks),
    };
  }

  stateHash(): string {
    return stateHash(this.snapshot());
  }

  /**
   * An independent copy with the same state: process() on it never affects this book. Copies
   * the structure directly (no snapshot views), in O(open orders).
   */
  clone(): OrderBook<Id> {
    const copy = new OrderBook<Id>(this.config);
    copy.nextSeq = this.nextSeq;
    for (const [from, to] of [
      [this.bids, copy.bids],
      [this.asks, copy.asks],
    ] as const) {
      for (const level of from.levels) {
        const l = new Level(level.price, level.isBuy);
        l.total = level.total;
        to.levels.push(l);
        to.byPrice.set(l.price, l);
        for (let o = level.head; o !== null; o = o.next) {
          const t = new Order().init(o.id, o.playerId, o.clientOrderId, o.isBuy, o.price, o.remaining, o.filled, o.seq, o.postOnly, o.stp, o.expiresAt, o.hasExpiry);
          o.twin = t;
          copy.append(t, l);
          copy.orders.set(t.id, t);
        }
      }
    }
    for (const [playerId, p] of this.players) {
      if (p.count === 0) continue;
      const q = new PlayerOrders();
      copy.players.set(playerId, q);
      for (let o = p.head; o !== null; o = o.pNext) {
        const t = o.twin as Order;
        t.player = q;
        t.pPrev = q.tail;
        if (q.tail === null) q.head = t;
        else q.tail.pNext = t;
        q.tail = t;
        q.count++;
      }
    }
    // The heap's array order is a valid heap; dead entries stay out (and the rest is re-heaped).
    let dead = false;
    for (const o of this.heap) {
      if (o.live) copy.heap.push(o.twin as Order);
      else dead = true;
    }
    if (dead) for (let i = (copy.heap.length >> 1) - 1; i >= 0; i--) copy.siftDown(i);
    for (const side of [this.bids, this.asks]) {
      for (const level of side.levels) for (let o = level.head; o !== null; o = o.next) o.twin = null;
    }
    return copy;
  }

  /** Rebuild a book from snapshot(). Throws on a malformed snapshot (not a hot path). */
  static fromSnapshot<Id extends OrderId = string>(s: BookSnapshot<Id>): OrderBook<Id> {
    if (s.version !== 1) throw new Error(`unsupported snapshot version ${String(s.version)}`);
    const book = new OrderBook<Id>({ tickSize: s.tickSize, lotSize: s.lotSize });
    if (!Number.isSafeInteger(s.nextSeq) || s.nextSeq < 1) throw new Error("bad snapshot nextSeq");
    book.nextSeq = s.nextSeq;
    const all: Order[] = [];
    const load = (views: OrderView<Id>[], side: Side) => {
      const own = side === "buy" ? book.bids : book.asks;
      let lastPrice = NaN;
      for (const v of views) {
        if (v.side !== side) throw new Error(`snapshot order ${v.orderId} on the wrong side`);
        if (checkPrice(v.price, s.tickSize) !== ResultCode.OK || checkQuantity(v.remaining, s.lotSize) !== ResultCode.OK) {
          throw new Error(`snapshot order ${v.orderId} has a bad price or quantity`);
        }
        if (book.orders.has(v.orderId)) throw new Error(`snapshot has order ${v.orderId} twice`);
        if (v.seq >= s.nextSeq) throw new Error(`snapshot order ${v.orderId} has seq >= nextSeq`);
        if (v.price !== lastPrice && own.byPrice.has(v.price)) throw new Error(`snapshot levels out of order at ${v.price}`);
        lastPrice = v.price;
        const o = new Order().init(
          v.orderId,
          v.playerId,
          v.clientOrderId,
          side === "buy",
          v.price,
          v.remaining,
          v.filled,
          v.seq,
          v.timeInForce === "POST_ONLY",
          v.stp,
          v.expiresAt ?? -1,
          v.expiresAt !== null,
        );
        const level = own.byPrice.get(v.price) ?? own.add(v.price);
        level.total += o.remaining;
        book.append(o, level);
        book.orders.set(o.id, o);
        if (o.hasExpiry) book.heapPush(o);
        all.push(o);
      }
    };
    load(s.bids, "buy");
    load(s.asks, "sell");
    all.sort((a, b) => a.seq - b.seq);
    for (const o of all) book.addToPlayer(o);
    return book;
  }
}

function levelBefore(a: Level, b: Level): boolean {
  if (a.isBuy !== b.isBuy) return a.isBuy;
  return a.isBuy ? a.price > b.price : a.price < b.price;
}

function expiresBefore(a: Order, b: Order): boolean {
  return a.expiresAt < b.expiresAt || (a.expiresAt === b.expiresAt && a.seq < b.seq);
}

function view(o: Order): OrderView<OrderId> {
  return {
    orderId: o.id,
    playerId: o.playerId,
    clientOrderId: o.clientOrderId,
    side: o.isBuy ? "buy" : "sell",
    price: o.price,
    remaining: o.remaining,
    filled: o.filled,
    seq: o.seq,
    timeInForce: o.postOnly ? "POST_ONLY" : "GTC",
    stp: o.stp,
    expiresAt: o.hasExpiry ? o.expiresAt : null,
  };
}

/** Create a fast order book for one market. */
export function createBook<Id extends OrderId = string>(config: BookConfig): OrderBook<Id> {
  return new OrderBook<Id>(config);
}
