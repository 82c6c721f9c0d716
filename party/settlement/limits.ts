/**
 * Trading limits of a market's item type (issue 17, ADR 027), judged by the planner, pure:
 *   - a buy limit per player per rolling window (OSRS-style): what a player bought in the window
 *     plus what their open buy orders may still buy, plus this order, stays within the limit;
 *   - a minimum account age before a player may sell (Steam-style gate);
 *   - a largest order value for new accounts.
 * The batch's readAndLock reads the limits row, the players' sign-up times and what the buyers
 * bought in the window, in the same statement as the wallet locks; the planner counts every buy it
 * accepts in the batch, so two buys of one batch, or of two batches, never pass the limit together.
 */
import { RoomCode } from "./codes";
import type { Answer, OrderRow } from "./types";

export interface TradingLimits {
  /** Items per player per window; null: no buy limit. */
  buyLimit: number | null;
  buyWindowSeconds: number;
  /** Account age before a player may sell; null: none. */
  minAccountAgeSeconds: number | null;
  /** Copper per order for accounts younger than newAccountAgeSeconds; both null or both set. */
  newAccountMaxOrderValue: number | null;
  newAccountAgeSeconds: number | null;
}

/** What a batch reads for its limits (readAndLock). */
export interface LimitsView {
  limits: TradingLimits;
  /** Players of the batch's commands: when they signed up (epoch ms). */
  signedUp: Map<string, number>;
  /** Buyers of the batch: what they bought in the window, as [epoch ms of the batch, quantity]. */
  bought: Map<string, Array<[number, number]>>;
  /** The item's name for the messages. */
  itemName: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** "4 hours", "7 days", "90 minutes": a window or an age in words. */
export function duration(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (seconds % 86_400 === 0) return unit(seconds / 86_400, "day");
  if (seconds % 3_600 === 0) return unit(seconds / 3_600, "hour");
  if (seconds % 60 === 0) return unit(seconds / 60, "minute");
  return unit(seconds, "second");
}

function refusal(code: number, reason: string, message: string, resetsAt?: number): Answer {
  return { ok: false, code, reason, message, ...(resetsAt !== undefined ? { resetsAt } : {}) };
}

/** One batch's view of the limits: it remembers the buys it let through. */
export class LimitCheck {
  /** Per buyer: bought in the window + open buy remaining + accepted in this batch. */
  private readonly used = new Map<string, number>();
  private openBuysByPlayer: Map<string, number> | undefined;

  constructor(
    private readonly view: LimitsView,
    private readonly open: ReadonlyMap<string, OrderRow>,
    private readonly now: number,
  ) {}

  /** What blocks a new order (or an amend that asks for more), or undefined. Sells: `value` is the most they can fetch. */
  refuse(playerId: string, side: "buy" | "sell", quantity: number, value: number): Answer | undefined {
    const { limits, itemName } = this.view;
    const signedUp = this.view.signedUp.get(playerId);
    if (side === "sell" && limits.minAccountAgeSeconds !== null && signedUp !== undefined) {
      const from = signedUp + limits.minAccountAgeSeconds * 1_000;
      if (from > this.now) {
        return refusal(
          RoomCode.ACCOUNT_TOO_NEW, "ACCOUNT_TOO_NEW",
          `Your account is too new to sell ${itemName}: accounts may sell it ${duration(limits.minAccountAgeSeconds)} after sign-up. You may sell it from ${iso(from)}.`,
          from,
        );
      }
    }
    if (limits.newAccountMaxOrderValue !== null && limits.newAccountAgeSeconds !== null && signedUp !== undefined) {
      const grown = signedUp + limits.newAccountAgeSeconds * 1_000;
      if (grown > this.now && value > limits.newAccountMaxOrderValue) {
        return refusal(
          RoomCode.ORDER_VALUE_TOO_HIGH, "ORDER_VALUE_TOO_HIGH",
          `Accounts younger than ${duration(limits.newAccountAgeSeconds)} may place orders for ${itemName} worth at most ${limits.newAccountMaxOrderValue} copper; this one is worth ${value}. Lower the quantity or the price; the limit ends at ${iso(grown)}.`,
          grown,
        );
      }
    }
    if (side === "buy" && limits.buyLimit !== null && quantity > 0) {
      const used = this.usage(playerId);
      if (used + quantity > limits.buyLimit) return this.overLimit(playerId, used, quantity, limits.buyLimit);
    }
    return undefined;
  }

  /** A buy the planner accepted: it counts against the limit for the rest of the batch. */
  accept(playerId: string, side: "buy" | "sell", quantity: number): void {
    if (side !== "buy" || this.view.limits.buyLimit === null) return;
    this.used.set(playerId, this.usage(playerId) + quantity);
  }

  private usage(playerId: string): number {
    let used = this.used.get(playerId);
    if (used === undefined) {
      used = (this.view.bought.get(playerId) ?? []).reduce((s, [, q]) => s + q, 0) + (this.openBuys().get(playerId) ?? 0);
      this.used.set(playerId, used);
    }
    return used;
  }

  /** Open buy remaining per player: one pass over the book's open orders per batch, not one per buyer. */
  private openBuys(): Map<string, number> {
    if (!this.openBuysByPlayer) {
      this.openBuysByPlayer = new Map();
      for (const o of this.open.values()) {
        if (o.side === "buy") this.openBuysByPlayer.set(o.playerId, (this.openBuysByPlayer.get(o.playerId) ?? 0) + o.remaining);
      }
    }
    return this.openBuysByPlayer;
  }

  private overLimit(playerId: string, used: number, quantity: number, limit: number): Answer {
    const { limits, itemName } = this.view;
    const window = duration(limits.buyWindowSeconds);
    const left = Math.max(0, limit - used);
    const head = `Buy limit reached for ${itemName}: at most ${limit} per player every ${window}. You bought or have open buy orders for ${used} in the last ${window}, so you may buy ${left} more now.`;
    if (quantity > limit) return refusal(RoomCode.BUY_LIMIT_REACHED, "BUY_LIMIT_REACHED", `${head} This order alone is more than the limit.`);
    // Purchases leave the window oldest first; find when enough has left for this order.
    let over = used + quantity - limit;
    for (const [at, q] of [...(this.view.bought.get(playerId) ?? [])].sort((a, b) => a[0] - b[0])) {
      over -= q;
      if (over <= 0) {
        const resetsAt = at + limits.buyWindowSeconds * 1_000;
        return refusal(RoomCode.BUY_LIMIT_REACHED, "BUY_LIMIT_REACHED", `${head} Enough for this order frees up at ${iso(resetsAt)}.`, resetsAt);
      }
    }
    return refusal(RoomCode.BUY_LIMIT_REACHED, "BUY_LIMIT_REACHED", `${head} Your open buy orders hold the rest: cancel or lower one to buy more.`);
  }
}

/** The value of an order in copper: price x quantity, a market buy's budget, a market sell's best bid x quantity. */
export function orderValue(o: { side: "buy" | "sell"; orderType: "limit" | "market"; price?: number; quantity: number }, budget: number | undefined, bestBid: number | undefined): number {
  if (o.orderType === "limit") return (o.price ?? 0) * o.quantity;
  if (o.side === "buy") return budget ?? 0;
  return (bestBid ?? 0) * o.quantity;
}
