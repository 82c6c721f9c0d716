import type { BookConfig, Command, OrderId, PlaceCommand, StpMode, TimeInForce } from "./types";

/**
 * Seeded random command streams for the differential and property tests (and long-diff.ts).
 * They cover every command, option and error path: a few players (so self-trades happen), a
 * narrow price band (so orders cross), expiries, budgets, FOK, post-only, bad input, duplicate
 * ids, other players' orders, and now and then huge quantities to reach the overflow checks.
 */

/** sfc32: small, fast, good enough, and the same on every platform. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.float() * xs.length)] as T;
  }
}

export interface StreamOptions {
  config: BookConfig;
  /** Open orders the stream tries to hover around. */
  targetSize?: number;
  players?: number;
  /**
   * Order ids: strings (default, "o1", "o2", ...), numbers (safe integers of very different sizes,
   * up to 2^53 - 1, so the numeric id table sees collisions and wide keys), or both in one book.
   */
  ids?: "string" | "number" | "mixed";
  /**
   * Quantities near 2^53 at prices of a few ticks: places and amends (raising a partly filled
   * order's quantity too) meet the notional, level-total and lifetime (`filled + remaining`) bounds
   * all the time, where the normal mix reaches them now and then.
   */
  huge?: boolean;
}

const STPS: StpMode[] = ["none", "none", "cancel_taker", "cancel_maker", "cancel_both"];
const LIMIT_TIFS: TimeInForce[] = ["GTC", "GTC", "GTC", "GTC", "IOC", "FOK", "POST_ONLY"];
const MAX = Number.MAX_SAFE_INTEGER;

export interface BookView {
  size(): number;
  getOrder(orderId: OrderId): { filled: number } | undefined;
}

export class RandomStream {
  private readonly rng: Rng;
  private readonly tick: number;
  private readonly lot: number;
  private readonly target: number;
  private readonly playerIds: string[];
  /** Ids this stream has placed (open or not), with their owner. */
  private ids: OrderId[] = [];
  private owner = new Map<OrderId, string>();
  private nextId = 1;
  private now = 1_000;
  private book: BookView | null = null;
  private mid = 100;

  constructor(
    seed: number,
    private readonly opts: StreamOptions,
  ) {
    this.rng = new Rng(seed);
    this.tick = opts.config.tickSize;
    this.lot = opts.config.lotSize;
    this.target = opts.targetSize ?? 40;
    this.playerIds = Array.from({ length: opts.players ?? 4 }, (_, i) => `p${i + 1}`);
    if (opts.huge) this.mid = 3;
  }

  /**
   * The next command. `book` is read (never changed) to steer: towards the target size, and
   * towards ids that are still open so that most cancels and amends hit something.
   */
  next(book: BookView): Command<OrderId> {
    this.book = book;
    const size = book.size();
    const r = this.rng;
    this.now += r.int(0, 3);
    if (r.chance(0.01)) this.mid = this.opts.huge ? Math.max(1, Math.min(6, this.mid + r.int(-1, 1))) : Math.max(20, this.mid + r.int(-3, 3));
    const crowded = size > this.target;
    const x = r.float();
    if (x < 0.02) return this.invalid();
    if (x < 0.04) return { type: "expire", now: this.now };
    if (x < 0.045) return { type: "cancelAll", playerId: r.pick(this.playerIds) };
    if (x < (crowded ? 0.3 : 0.17)) return this.cancel();
    if (x < (crowded ? 0.4 : 0.32)) return this.amend();
    return this.place(crowded);
  }

  private price(offset: number): number {
    return Math.max(1, this.mid + offset) * this.tick;
  }

  private qty(): number {
    return this.rng.int(1, 8) * this.lot;
  }

  /** A multiple of the lot near the largest quantity whose notional at `price` is a safe integer. */
  private hugeQty(price: number): number {
    const q = Math.floor(MAX / price / this.lot / this.rng.int(1, 3)) * this.lot - this.rng.int(0, 3) * this.lot;
    return Math.max(this.lot, q);
  }

  private newId(): OrderId {
    const n = this.nextId++;
    const kind = this.opts.ids ?? "string";
    if (kind === "string" || (kind === "mixed" && n % 2 === 0)) return `o${n}`;
    // Small, mid-sized and huge safe integers; multiples of 1024 collide in the low bits.
    switch (n % 4) {
      case 0:
        return n;
      case 1:
        return n * 1024;
      case 2:
        return 2 ** 40 + n * 7919;
      default:
        return MAX - n;
    }
  }

  private unknownId(): OrderId {
    return (this.opts.ids ?? "string") === "number" ? 123_456_789_013 : "nope";
  }

  private remember(id: OrderId, playerId: string): void {
    if (this.owner.has(id)) return;
    this.ids.push(id);
    this.owner.set(id, playerId);
    if (this.ids.length > 400) {
      const at = this.rng.int(0, 199);
      const gone = this.ids[at] as OrderId;
      this.ids[at] = this.ids[this.ids.length - 1] as OrderId;
      this.ids.pop();
      this.owner.delete(gone);
    }
  }

  private known(): { id: OrderId; playerId: string } {
    const r = this.rng;
    if (this.ids.length === 0 || r.chance(0.03)) return { id: this.unknownId(), playerId: r.pick(this.playerIds) };
    // Mostly ids that are open now (closed ones are mostly forgotten as they are found).
    let at = r.int(0, this.ids.length - 1);
    let id = this.ids[at] as OrderId;
    for (let tries = 0; tries < 8 && this.book !== null && this.book.getOrder(id) === undefined; tries++) {
      if (r.chance(0.9) && this.ids.length > 1) {
        this.ids[at] = this.ids[this.ids.length - 1] as OrderId;
        this.ids.pop();
        this.owner.delete(id);
      }
      at = r.int(0, this.ids.length - 1);
      id = this.ids[at] as OrderId;
    }
    const owner = this.owner.get(id) as string;
    return { id, playerId: r.chance(0.95) ? owner : r.pick(this.playerIds) };
  }

  private cancel(): Command<OrderId> {
    const { id, playerId } = this.known();
    return { type: "cancel", orderId: id, playerId };
  }

  private amend(): Command<OrderId> {
    const r = this.rng;
    const { id, playerId } = this.known();
    const y = r.float();
    if (this.opts.huge && y < 0.3) {
      // A partly filled order: straddle the lifetime bound (filled + new quantity = 2^53 - 1, or one lot past it).
      const filled = this.book?.getOrder(id)?.filled ?? 0;
      const quantity = filled > 0 ? Math.floor((MAX - filled) / this.lot) * this.lot + r.int(0, 1) * this.lot : this.hugeQty(this.price(r.int(-2, 0)));
      return { type: "amend", orderId: id, playerId, quantity: Math.max(this.lot, quantity) };
    }
    // Now and then a huge quantity: near 2^53 the lifetime bound (filled + remaining) and overflow checks decide.
    if (y < 0.02) return { type: "amend", orderId: id, playerId, quantity: Math.floor(MAX / this.tick / this.lot / r.int(1, 3)) * this.lot };
    if (y < 0.35) return { type: "amend", orderId: id, playerId, quantity: this.qty() };
    if (y < 0.8) return { type: "amend", orderId: id, playerId, price: this.price(r.int(-6, 6)) };
    return { type: "amend", orderId: id, playerId, price: this.price(r.int(-6, 6)), quantity: this.qty() };
  }

  private place(crowded: boolean): PlaceCommand<OrderId> {
    const r = this.rng;
    const playerId = r.pick(this.playerIds);
    const side = r.chance(0.5) ? "buy" : "sell";
    const orderId = r.chance(0.01) && this.ids.length > 0 ? (this.ids[this.ids.length - 1] as OrderId) : this.newId();
    const stp = r.pick(STPS);
    const cmd: PlaceCommand<OrderId> = { type: "place", orderId, playerId, side, orderType: "limit", quantity: this.qty(), stp };
    if (r.chance(0.2)) cmd.clientOrderId = `c${orderId}`;
    if (r.chance(crowded ? 0.25 : 0.12)) {
      cmd.orderType = "market";
      if (r.chance(0.2)) cmd.timeInForce = "FOK";
      if (r.chance(0.3)) cmd.priceLimit = this.price(r.int(-3, 3));
      if (side === "buy" && r.chance(0.4)) cmd.budget = r.int(1, 40) * this.tick * this.mid;
      if (r.chance(0.3)) cmd.quantity = this.qty() * 4;
    } else {
      // Buyers mostly below the mid and sellers above; some cross.
      const spread = r.int(crowded ? -4 : -2, 8);
      cmd.price = this.price(side === "buy" ? -spread : spread);
      const tif = r.pick(LIMIT_TIFS);
      if (tif !== "GTC" || r.chance(0.5)) cmd.timeInForce = tif;
      if ((tif === "GTC" || tif === "POST_ONLY") && r.chance(0.2)) cmd.expiresAt = this.now + r.int(-2, 60);
      if (side === "buy" && r.chance(0.006)) {
        // Huge bids at the lowest price: near the notional and level-total limits.
        cmd.price = this.tick;
        cmd.quantity = Math.floor(MAX / this.tick / this.lot / r.int(1, 3)) * this.lot;
        delete cmd.expiresAt;
      }
    }
    if (this.opts.huge && r.chance(0.5)) cmd.quantity = this.hugeQty(cmd.price ?? cmd.priceLimit ?? this.price(0));
    this.remember(orderId, playerId);
    return cmd;
  }

  private invalid(): Command<OrderId> {
    const r = this.rng;
    const playerId = r.pick(this.playerIds);
    const base: PlaceCommand<OrderId> = {
      type: "place",
      orderId: this.newId(),
      playerId,
      side: "buy",
      orderType: "limit",
      price: this.price(0),
      quantity: this.lot,
    };
    const bad: unknown[] = [
      { ...base, price: this.price(0) + (this.tick > 1 ? 1 : 0.5) },
      { ...base, quantity: 0 },
      { ...base, quantity: this.lot + (this.lot > 1 ? 1 : 0.5) },
      { ...base, price: -this.tick },
      { ...base, price: MAX * 2 },
      { ...base, quantity: NaN },
      { ...base, side: "up" },
      { ...base, orderType: "stop" },
      { ...base, timeInForce: "GTD" },
      { ...base, orderType: "market", timeInForce: "GTC", price: undefined },
      { ...base, orderType: "market", price: undefined, side: "sell", budget: 100 },
      { ...base, orderType: "market" },
      { ...base, budget: 5 },
      { ...base, timeInForce: "IOC", expiresAt: this.now },
      { ...base, expiresAt: 1.5 },
      { ...base, stp: "maybe" },
      { ...base, orderId: "" },
      { ...base, playerId: 7 },
      { ...base, clientOrderId: "" },
      { ...base, price: this.tick * 2, quantity: Math.floor(MAX / this.lot) * this.lot },
      { type: "amend", orderId: "o1", playerId },
      { type: "amend", orderId: this.known().id, playerId, price: 3.5 },
      { type: "cancel", orderId: 42, playerId },
      { type: "cancel", orderId: -1, playerId },
      { ...base, orderId: 1.5 },
      { ...base, orderId: 2 ** 53 },
      { type: "amend", orderId: NaN, playerId, quantity: this.lot },
      { type: "cancelAll", playerId: "" },
      { type: "expire", now: "soon" },
      { type: "explode" },
      null,
    ];
    return r.pick(bad) as Command;
  }
}
