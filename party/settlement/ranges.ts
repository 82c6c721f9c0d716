/**
 * A plan made on remembered amounts (ADR 042). The room remembers each wallet's available amount
 * from its last committed batch and plans the next batch on it, without reading first. What the
 * plan decided depends on those amounts only through the planner's funds checks ("has at least
 * need"), so for each wallet there is a range of starting amounts, [lo, hi), for which every check
 * answers the same and the plan is exactly the one a locked read would have given. The batch's one
 * statement locks the wallets, and commits only if each one's amount is inside its range.
 *
 * Pure: no I/O. The planner calls saw() at each funds check (plan.ts `enough`).
 */
import { CURRENCY } from "../../db/ledger/types";
import type { Wallets } from "./types";

export type WalletKind = "currency" | "items";

export interface AmountRange {
  player: string;
  /** CURRENCY (0) or the market's item type. */
  asset: number;
  /** The starting amount must be at least this (a check passed)... */
  lo: number;
  /** ...and below this (a check failed); null: no upper bound. */
  hi: number | null;
}

export class AmountRanges {
  private readonly start: { currency: Map<string, number>; items: Map<string, number> };
  private readonly byKey = new Map<string, AmountRange>();

  /** `wallets`: the amounts the plan starts from (copied here: the planner changes the maps). */
  constructor(
    wallets: Wallets,
    private readonly itemTypeId: number,
  ) {
    this.start = { currency: new Map(wallets.currency), items: new Map(wallets.items) };
  }

  /**
   * A funds check: the wallet holds `available` now (after the batch's earlier changes) and the
   * command needs `need`. The starting amount s gives the same answer while s + (available - start)
   * compares with need the same way.
   */
  saw(kind: WalletKind, player: string, available: number, need: number): void {
    const threshold = need - (available - (this.start[kind].get(player) ?? 0));
    const asset = kind === "currency" ? CURRENCY : this.itemTypeId;
    const key = `${player}|${asset}`;
    let range = this.byKey.get(key);
    if (!range) this.byKey.set(key, (range = { player, asset, lo: Number.MIN_SAFE_INTEGER, hi: null }));
    if (available >= need) range.lo = Math.max(range.lo, threshold);
    else range.hi = range.hi === null ? threshold : Math.min(range.hi, threshold);
  }

  /** Every wallet a check looked at, with its range (an empty range means the plan cannot stand). */
  list(): AmountRange[] {
    return [...this.byKey.values()];
  }

  /** Whether a starting amount keeps every check's answer (tests; the statement checks in SQL). */
  holds(player: string, asset: number, amount: number): boolean {
    const range = this.byKey.get(`${player}|${asset}`);
    return !range || (amount >= range.lo && (range.hi === null || amount < range.hi));
  }
}
