import { ResultCode } from "./codes";
import { stateHash } from "./hash";
import { BookSide, type Level, LevelTable } from "./levels";
import {
  BUY,
  EXPIRES,
  F_STRIDE,
  FILLED,
  FLAGS,
  HAS_CLIENT_ID,
  HAS_EXPIRY,
  I_STRIDE,
  LEVEL,
  LIVE,
  NEXT,
  NONE,
  OrderRows,
  PLAYER,
  POST_ONLY,
  PREV,
  REMAINING,
  SEQ,
  STP_SHIFT,
} from "./rows";
import { SlotIndex } from "./slot-index";
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
  isOrderId,
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
 * The fast order book (docs/decisions/010-engine-representation.md).
 *
 * - Each open order is a 64-byte row in one typed buffer (rows.ts), linked by slot number into
 *   its price level's list (time priority). The id tables (slot-index.ts) find the slot, so
 *   cancel and amend-down are O(1): no scan of a level. cancelAll scans the rows' player cells.
 * - Each side keeps its non-empty levels sorted (levels.ts); the best level is the last element.
 * - Expiry is a binary heap on (expiresAt, seq) with lazy deletion: cancel stays O(1).
 * - Events are collected during the command and returned in a fresh array; level deltas are
 *   collected (each touched level once) and emitted at the end, so a sweep through many fills
 *   yields one delta per level.
 */

const MAX = Number.MAX_SAFE_INTEGER;

const STP_NONE = 0;
const STP_CANCEL_TAKER = 1;
const STP_CANCEL_MAKER = 2;
const STP_CANCEL_BOTH = 3;
const STP_NAMES: readonly StpMode[] = ["none", "cancel_taker", "cancel_maker", "cancel_both"];

function stpCode(stp: StpMode): number {
  return stp === "none" ? STP_NONE : stp === "cancel_taker" ? STP_CANCEL_TAKER : stp === "cancel_maker" ? STP_CANCEL_MAKER : STP_CANCEL_BOTH;
}

/**
 * A player who has had an order in this book. Rows name it by index; `count` is how many of its
 * orders are open. Records are kept at count 0 (no map churn).
 */
class Player {
  count = 0;

  constructor(
    readonly ix: number,
    readonly id: string,
  ) {}
}

/** An expiry heap entry; stale once its slot holds another order (seq differs) or none. */
interface Expiry {
  at: number;
  seq: number;
  slot: number;
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
  private rows = new OrderRows();
  private index = new SlotIndex(this.rows.ids);
  private levelTable = new LevelTable();
  private bids = new BookSide(true, this.levelTable);
  private asks = new BookSide(false, this.levelTable);
  private readonly players = new Map<string, Player>();
  private readonly playerAt: Player[] = [];
  private nextSeq = 1;

  private heap: Expiry[] = [];
  private deadInHeap = 0;

  // Per-command scratch state.
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
    this.rows.recycle();
    this.levelTable.recycle();
    return new Result(code, events, this.rFilled, this.rRemaining, this.rResting) as CommandResult<Id>;
  }

  // ------------------------------------------------------------ place

  private place(c: PlaceCommand<OrderId>): ResultCode {
    const code = validatePlace(c, this.tick, this.lot);
    if (code !== ResultCode.OK) return this.reject(code, c);
    if (this.index.get(c.orderId) !== NONE) return this.reject(ResultCode.DUPLICATE_ORDER_ID, c);

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
    const player = this.players.get(c.playerId);
    const playerIx = player === undefined ? NONE : player.ix;
    if (tif === "FOK" && (!crosses || this.fillableNow(opp, isBuy, limitPrice, playerIx, stpC, budget, quantity) < quantity)) {
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
      remaining = this.match(opp, isBuy, limitPrice, quantity, c.orderId, c.playerId, playerIx, stpC, budget);
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
    const rows = this.rows;
    const s = rows.take();
    const I = rows.i;
    const F = rows.f;
    const b = s * I_STRIDE;
    const d = s * F_STRIDE;
    I[b + FLAGS] = LIVE | (isBuy ? BUY : 0) | (tif === "POST_ONLY" ? POST_ONLY : 0) | (expiresAt !== undefined ? HAS_EXPIRY : 0) | (stpC << STP_SHIFT);
    F[d + REMAINING] = remaining;
    F[d + FILLED] = filled;
    F[d + SEQ] = seq;
    if (expiresAt !== undefined) F[d + EXPIRES] = expiresAt;
    rows.setId(s, c.orderId);
    if (clientOrderId !== null) {
      rows.clientIds[s] = clientOrderId;
      I[b + FLAGS] = (I[b + FLAGS] as number) | HAS_CLIENT_ID;
    }
    this.rest(s, remaining, own, ownLevel, limitPrice);
    this.addToPlayer(s, player ?? this.newPlayer(c.playerId));
    this.index.set(c.orderId, s);
    if (expiresAt !== undefined) this.heapPush({ at: expiresAt, seq, slot: s });
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
    takerPlayer: number,
    stp: number,
    budget: number,
  ): number {
    const levels = opp.levels;
    const takerSide: Side = isBuy ? "buy" : "sell";
    const hasBudget = budget >= 0;
    const rows = this.rows;
    const I = rows.i;
    const F = rows.f;
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
      let s = lvl.head;
      while (s !== NONE) {
        const b = s * I_STRIDE;
        const d = s * F_STRIDE;
        const next = I[b + NEXT] as number;
        const maker = I[b + PLAYER] as number;
        if (stp !== STP_NONE && maker === takerPlayer) {
          if (stp === STP_CANCEL_TAKER) {
            stop = true;
            break;
          }
          lvl.total -= F[d + REMAINING] as number;
          this.unlink(s, lvl);
          this.forget(s);
          this.canceledEvent(s, lvl, "self_trade");
          s = next;
          if (stp === STP_CANCEL_BOTH) {
            stop = true;
            break;
          }
          continue;
        }
        const open = F[d + REMAINING] as number;
        const q = open < afford ? open : afford;
        const left = open - q;
        F[d + REMAINING] = left;
        F[d + FILLED] = (F[d + FILLED] as number) + q;
        lvl.total -= q;
        rem -= q;
        afford -= q;
        if (hasBudget) spent += q * price;
        this.emit({
          type: "fill",
          makerOrderId: rows.id(s),
          takerOrderId: takerId,
          makerPlayerId: (this.playerAt[maker] as Player).id,
          takerPlayerId,
          price,
          quantity: q,
          takerSide,
          makerRemaining: left,
          takerRemaining: rem,
        });
        if (left === 0) {
          this.unlink(s, lvl);
          this.forget(s);
        }
        if (afford === 0) break;
        s = next;
      }
      if (lvl.count === 0) opp.remove(lvl);
      // A spent budget cannot pay for a lot at this price, nor at the worse prices that follow.
      if (hasBudget && afford === 0) break;
    }
    this.stopped = stop;
    return rem;
  }

  /** How much a FOK taker would fill now, by the same rules as match(), without changing anything. */
  private fillableNow(opp: BookSide, isBuy: boolean, limitPrice: number, player: number, stp: number, budget: number, want: number): number {
    const levels = opp.levels;
    const I = this.rows.i;
    const F = this.rows.f;
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
      for (let s = lvl.head; s !== NONE && got < want; s = I[s * I_STRIDE + NEXT] as number) {
        let q = Math.min(want - got, F[s * F_STRIDE + REMAINING] as number);
        if (budget >= 0) {
          const canPay = affordable(budget - spent, price, this.lot);
          if (canPay === 0) return got;
          if (canPay < q) q = canPay;
        }
        if (stp !== STP_NONE && I[s * I_STRIDE + PLAYER] === player) {
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
    const s = this.index.get(orderId);
    if (s === NONE || this.playerOf(s).id !== playerId) {
      const code = validateCancel(orderId, playerId);
      const why = code !== ResultCode.OK ? code : s === NONE ? ResultCode.ORDER_NOT_FOUND : ResultCode.NOT_OWNER;
      return this.reject(why, { type: "cancel", orderId, playerId });
    }
    this.canceledEvent(s, this.closeOrder(s), "user");
    return ResultCode.OK;
  }

  private amend(c: AmendCommand<OrderId>): ResultCode {
    const code = validateAmend(c, this.tick, this.lot);
    if (code !== ResultCode.OK) return this.reject(code, c);
    const s = this.index.get(c.orderId);
    if (s === NONE) return this.reject(ResultCode.ORDER_NOT_FOUND, c);
    const rows = this.rows;
    const b = s * I_STRIDE;
    const d = s * F_STRIDE;
    const player = this.playerOf(s);
    if (player.id !== c.playerId) return this.reject(ResultCode.NOT_OWNER, c);
    const level = this.levelTable.at[rows.i[b + LEVEL] as number] as Level;
    const flags = rows.i[b + FLAGS] as number;
    const isBuy = (flags & BUY) !== 0;
    const oldPrice = level.price;
    const oldRemaining = rows.f[d + REMAINING] as number;
    const price = c.price ?? oldPrice;
    const quantity = c.quantity ?? oldRemaining;
    if (price === oldPrice && quantity === oldRemaining) return this.reject(ResultCode.NOTHING_TO_AMEND, c);
    // filled + remaining <= 2^53 - 1 always, so the lifetime filled counter stays exact.
    if ((rows.f[d + FILLED] as number) + quantity > MAX) return this.reject(ResultCode.LIFETIME_OVERFLOW, c);
    if (notionalOverflows(price, quantity)) return this.reject(ResultCode.NOTIONAL_OVERFLOW, c);
    const own = isBuy ? this.bids : this.asks;
    if (price === oldPrice) {
      if (level.total - oldRemaining + quantity > MAX) return this.reject(ResultCode.LEVEL_OVERFLOW, c);
    } else {
      const target = own.byPrice.get(price);
      if (target !== undefined && target.total + quantity > MAX) return this.reject(ResultCode.LEVEL_OVERFLOW, c);
    }
    const opp = isBuy ? this.asks : this.bids;
    const oppBest = opp.best();
    const crosses = oppBest !== undefined && (isBuy ? oppBest.price <= price : oppBest.price >= price);
    if ((flags & POST_ONLY) !== 0 && crosses) return this.reject(ResultCode.POST_ONLY_WOULD_CROSS, c);

    const priorityKept = price === oldPrice && quantity < oldRemaining;
    const side: Side = isBuy ? "buy" : "sell";
    const id = rows.id(s);
    this.emit({
      type: "amended",
      orderId: id,
      playerId: player.id,
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
      rows.f[d + REMAINING] = quantity;
      if (!priorityKept && level.tail !== s) {
        this.unlink(s, level);
        this.append(s, level);
      }
      this.rRemaining = quantity;
      this.rResting = true;
      return ResultCode.OK;
    }

    // New price: leave the old level, trade if it crosses, rest the remainder at the back.
    this.touch(level);
    level.total -= oldRemaining;
    this.unlink(s, level);
    if (level.count === 0) own.remove(level);
    let remaining = quantity;
    if (crosses) remaining = this.match(opp, isBuy, price, quantity, id, player.id, player.ix, (flags >> STP_SHIFT) & 3, -1);
    const filled = quantity - remaining;
    const F = this.rows.f;
    F[d + FILLED] = (F[d + FILLED] as number) + filled;
    F[d + REMAINING] = remaining;
    this.rFilled = filled;
    if (remaining === 0) {
      this.forget(s);
      return ResultCode.OK;
    }
    if (crosses && this.stopped) {
      this.forget(s);
      this.emit({ type: "canceled", orderId: id, playerId: player.id, side, price, remaining, reason: "self_trade" });
      return ResultCode.OK;
    }
    this.rest(s, remaining, own, own.byPrice.get(price), price);
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
      const top = heap[0] as Expiry;
      const live = this.isLive(top);
      if (live && top.at > now) break;
      this.heapPop();
      if (!live) {
        this.deadInHeap--;
        continue;
      }
      const s = top.slot;
      const lvl = this.closeOrder(s, false);
      this.emit({
        type: "expired",
        orderId: this.rows.id(s),
        playerId: this.playerOf(s).id,
        side: lvl.isBuy ? "buy" : "sell",
        price: lvl.price,
        remaining: this.rows.f[s * F_STRIDE + REMAINING] as number,
      });
    }
    return ResultCode.OK;
  }

  private cancelAll(playerId: string): ResultCode {
    const code = validatePlayer(playerId);
    if (code !== ResultCode.OK) return this.reject(code, { type: "cancelAll", playerId });
    const p = this.players.get(playerId);
    if (p === undefined || p.count === 0) return ResultCode.OK;
    // One pass over the rows' player cells (4 bytes read per row ever used, sequentially), then
    // the player's orders in acceptance order. Cheaper per place and cancel than keeping a list.
    const rows = this.rows;
    const I = rows.i;
    const F = rows.f;
    const mine: number[] = [];
    for (let s = 0, b = 0; s < rows.used; s++, b += I_STRIDE) {
      if (I[b + PLAYER] === p.ix && ((I[b + FLAGS] as number) & LIVE) !== 0) mine.push(s);
    }
    mine.sort((x, y) => (F[x * F_STRIDE + SEQ] as number) - (F[y * F_STRIDE + SEQ] as number));
    for (const s of mine) {
      const lvl = this.closeOrder(s);
      this.canceledEvent(s, lvl, "cancel_all");
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

  /** Put an order at the back of the level at `price` (creating the level if needed). */
  private rest(s: number, remaining: number, own: BookSide, level: Level | undefined, price: number): void {
    if (level === undefined) level = own.add(price);
    this.touch(level);
    level.total += remaining;
    this.append(s, level);
  }

  private append(s: number, level: Level): void {
    const I = this.rows.i;
    const b = s * I_STRIDE;
    const tail = level.tail;
    I[b + LEVEL] = level.ix;
    I[b + NEXT] = NONE;
    I[b + PREV] = tail;
    if (tail === NONE) level.head = s;
    else I[tail * I_STRIDE + NEXT] = s;
    level.tail = s;
    level.count++;
  }

  private unlink(s: number, level: Level): void {
    const I = this.rows.i;
    const b = s * I_STRIDE;
    const prev = I[b + PREV] as number;
    const next = I[b + NEXT] as number;
    if (prev === NONE) level.head = next;
    else I[prev * I_STRIDE + NEXT] = next;
    if (next === NONE) level.tail = prev;
    else I[next * I_STRIDE + PREV] = prev;
    level.count--;
  }

  /** Take an open order off the book entirely; returns the level it was on. */
  private closeOrder(s: number, countHeap = true): Level {
    const b = s * I_STRIDE;
    const I = this.rows.i;
    const level = this.levelTable.at[I[b + LEVEL] as number] as Level;
    this.touch(level);
    level.total -= this.rows.f[s * F_STRIDE + REMAINING] as number;
    this.unlink(s, level);
    if (level.count === 0) (level.isBuy ? this.bids : this.asks).remove(level);
    this.forget(s, countHeap);
    return level;
  }

  /** Drop an order that is off its level from the index, its player's list and the expiry heap. */
  private forget(s: number, countHeap = true): void {
    const rows = this.rows;
    const I = rows.i;
    const b = s * I_STRIDE;
    const flags = I[b + FLAGS] as number;
    I[b + FLAGS] = flags & ~LIVE;
    this.index.delete(rows.id(s));
    this.playerOf(s).count--;
    if ((flags & HAS_EXPIRY) !== 0 && countHeap) {
      this.deadInHeap++;
      if (this.deadInHeap > 64 && this.deadInHeap * 2 > this.heap.length) this.compactHeap();
    }
    // The row keeps its cells until the command is over (events read them).
    rows.release(s);
  }

  private newPlayer(id: string): Player {
    const p = new Player(this.playerAt.length, id);
    this.playerAt.push(p);
    this.players.set(id, p);
    return p;
  }

  private addToPlayer(s: number, p: Player): void {
    this.rows.i[s * I_STRIDE + PLAYER] = p.ix;
    p.count++;
  }

  /** The player of the order in row `s`. */
  private playerOf(s: number): Player {
    return this.playerAt[this.rows.i[s * I_STRIDE + PLAYER] as number] as Player;
  }

  private canceledEvent(s: number, lvl: Level, reason: CancelReason): void {
    this.emit({
      type: "canceled",
      orderId: this.rows.id(s),
      playerId: this.playerOf(s).id,
      side: lvl.isBuy ? "buy" : "sell",
      price: lvl.price,
      remaining: this.rows.f[s * F_STRIDE + REMAINING] as number,
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

  private isLive(e: Expiry): boolean {
    const s = e.slot;
    return (this.rows.i[s * I_STRIDE + FLAGS]! & LIVE) !== 0 && this.rows.f[s * F_STRIDE + SEQ] === e.seq;
  }

  private heapPush(e: Expiry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as Expiry;
      if (!expiresBefore(e, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = e;
  }

  private heapPop(): void {
    const h = this.heap;
    const last = h.pop() as Expiry;
    if (h.length > 0) {
      h[0] = last;
      this.siftDown(0);
    }
  }

  private siftDown(start: number): void {
    const h = this.heap;
    const n = h.length;
    const x = h[start] as Expiry;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && expiresBefore(h[r] as Expiry, h[l] as Expiry) ? r : l;
      const child = h[c] as Expiry;
      if (!expiresBefore(child, x)) break;
      h[i] = child;
      i = c;
    }
    h[i] = x;
  }

  private compactHeap(): void {
    this.heap = this.heap.filter((e) => this.isLive(e));
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
    const s = this.index.get(orderId);
    return s === NONE ? undefined : (this.view(s) as OrderView<Id>);
  }

  size(): number {
    return this.index.size;
  }

  nextExpiry(): number | undefined {
    const h = this.heap;
    while (h.length > 0 && !this.isLive(h[0] as Expiry)) {
      this.heapPop();
      this.deadInHeap--;
    }
    return h.length > 0 ? (h[0] as Expiry).at : undefined;
  }

  snapshot(): BookSnapshot<Id> {
    const I = this.rows.i;
    const side = (s: BookSide): OrderView<Id>[] => {
      const out: OrderView<Id>[] = [];
      for (let i = s.levels.length - 1; i >= 0; i--) {
        for (let o = (s.levels[i] as Level).head; o !== NONE; o = I[o * I_STRIDE + NEXT] as number) out.push(this.view(o) as OrderView<Id>);
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

  /** An independent copy with the same state: process() on it never affects this book. O(open orders). */
  clone(): OrderBook<Id> {
    const copy = new OrderBook<Id>(this.config);
    copy.nextSeq = this.nextSeq;
    copy.rows = this.rows.copy();
    copy.index = this.index.copy(copy.rows.ids);
    copy.levelTable = this.levelTable.copy();
    copy.bids = this.bids.copy(copy.levelTable);
    copy.asks = this.asks.copy(copy.levelTable);
    for (const p of this.playerAt) {
      copy.newPlayer(p.id).count = p.count;
    }
    copy.heap = this.heap.filter((e) => this.isLive(e)).map((e) => ({ at: e.at, seq: e.seq, slot: e.slot }));
    if (copy.heap.length !== this.heap.length) for (let i = (copy.heap.length >> 1) - 1; i >= 0; i--) copy.siftDown(i);
    return copy;
  }

  /** Rebuild a book from snapshot(). Throws on a malformed snapshot (not a hot path). */
  static fromSnapshot<Id extends OrderId = string>(s: BookSnapshot<Id>): OrderBook<Id> {
    if (s.version !== 1) throw new Error(`unsupported snapshot version ${String(s.version)}`);
    const book = new OrderBook<Id>({ tickSize: s.tickSize, lotSize: s.lotSize });
    if (!Number.isSafeInteger(s.nextSeq) || s.nextSeq < 1) throw new Error("bad snapshot nextSeq");
    book.nextSeq = s.nextSeq;
    const rows = book.rows;
    const load = (views: OrderView<Id>[], side: Side) => {
      const own = side === "buy" ? book.bids : book.asks;
      let lastPrice = NaN;
      for (const v of views) {
        if (v.side !== side) throw new Error(`snapshot order ${v.orderId} on the wrong side`);
        if (checkPrice(v.price, s.tickSize) !== ResultCode.OK || checkQuantity(v.remaining, s.lotSize) !== ResultCode.OK) {
          throw new Error(`snapshot order ${v.orderId} has a bad price or quantity`);
        }
        if (!isOrderId(v.orderId)) throw new Error(`snapshot has a bad order id ${String(v.orderId).slice(0, 40)}`);
        if (book.index.get(v.orderId) !== NONE) throw new Error(`snapshot has order ${v.orderId} twice`);
        if (v.seq >= s.nextSeq) throw new Error(`snapshot order ${v.orderId} has seq >= nextSeq`);
        if (v.price !== lastPrice && own.byPrice.has(v.price)) throw new Error(`snapshot levels out of order at ${v.price}`);
        lastPrice = v.price;
        const slot = rows.take();
        const b = slot * I_STRIDE;
        const d = slot * F_STRIDE;
        const hasExpiry = v.expiresAt !== null;
        rows.i[b + FLAGS] = LIVE | (side === "buy" ? BUY : 0) | (v.timeInForce === "POST_ONLY" ? POST_ONLY : 0) | (hasExpiry ? HAS_EXPIRY : 0) | (stpCode(v.stp) << STP_SHIFT);
        rows.f[d + REMAINING] = v.remaining;
        rows.f[d + FILLED] = v.filled;
        rows.f[d + SEQ] = v.seq;
        if (hasExpiry) rows.f[d + EXPIRES] = v.expiresAt as number;
        rows.setId(slot, v.orderId);
        if (v.clientOrderId !== null) {
          rows.clientIds[slot] = v.clientOrderId;
          rows.i[b + FLAGS] = (rows.i[b + FLAGS] as number) | HAS_CLIENT_ID;
        }
        book.rest(slot, v.remaining, own, own.byPrice.get(v.price), v.price);
        book.index.set(v.orderId, slot);
        if (hasExpiry) book.heapPush({ at: v.expiresAt as number, seq: v.seq, slot });
        book.addToPlayer(slot, book.players.get(v.playerId) ?? book.newPlayer(v.playerId));
      }
    };
    load(s.bids, "buy");
    load(s.asks, "sell");
    return book;
  }

  private view(s: number): OrderView<OrderId> {
    const rows = this.rows;
    const b = s * I_STRIDE;
    const d = s * F_STRIDE;
    const flags = rows.i[b + FLAGS] as number;
    return {
      orderId: rows.id(s),
      playerId: this.playerOf(s).id,
      clientOrderId: (flags & HAS_CLIENT_ID) !== 0 ? (rows.clientIds[s] as string) : null,
      side: (flags & BUY) !== 0 ? "buy" : "sell",
      price: (this.levelTable.at[rows.i[b + LEVEL] as number] as Level).price,
      remaining: rows.f[d + REMAINING] as number,
      filled: rows.f[d + FILLED] as number,
      seq: rows.f[d + SEQ] as number,
      timeInForce: (flags & POST_ONLY) !== 0 ? "POST_ONLY" : "GTC",
      stp: STP_NAMES[(flags >> STP_SHIFT) & 3] as StpMode,
      expiresAt: (flags & HAS_EXPIRY) !== 0 ? (rows.f[d + EXPIRES] as number) : null,
    };
  }
}

function levelBefore(a: Level, b: Level): boolean {
  if (a.isBuy !== b.isBuy) return a.isBuy;
  return a.isBuy ? a.price > b.price : a.price < b.price;
}

function expiresBefore(a: Expiry, b: Expiry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Create a fast order book for one market. */
export function createBook<Id extends OrderId = string>(config: BookConfig): OrderBook<Id> {
  return new OrderBook<Id>(config);
}
