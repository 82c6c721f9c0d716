/**
 * What the room remembers of its players' wallets between batches (ADR 042): each wallet's available
 * amount after the last batch that saw it, and who was frozen or owed a debt when last read. Only a
 * guess: other markets, offers and game servers change wallets too. A batch planned on it settles
 * only if the statement finds amounts for which the plan is the same (db/market/guard.ts); otherwise
 * the room reads and locks, and learns again.
 */
import { CURRENCY } from "../../db/ledger/types";
import type { Posting } from "../../db/ledger/types";
import type { MarketCommand, Wallets } from "../settlement/types";

/** Beyond this many wallets the memory starts over (a room with many players plans by reading). */
const MAX_WALLETS = 50_000;

export class WalletMemory {
  private readonly amounts = new Map<string, number>();
  /** Frozen or in debt when last read: their batches are read first. */
  private readonly barred = new Set<string>();

  /** "player|asset": the row is known to exist. */
  has(key: string): boolean {
    return this.amounts.has(key);
  }

  /**
   * The wallets to plan `commands` on, or undefined when the memory cannot answer for them: a player
   * who places or amends and whose wallet the room has not seen, or who was barred when last read.
   */
  walletsFor(commands: readonly MarketCommand[], itemTypeId: number): Wallets | undefined {
    const wallets: Wallets = { currency: new Map(), items: new Map() };
    for (const c of commands) {
      if (c.type !== "place" && c.type !== "amend") continue;
      if (this.barred.has(c.playerId)) return undefined;
      const currency = this.amounts.get(`${c.playerId}|${CURRENCY}`);
      if (currency === undefined) return undefined;
      wallets.currency.set(c.playerId, currency);
      const items = this.amounts.get(`${c.playerId}|${itemTypeId}`);
      // A sell (or an amend, which may add to one) checks the items: the row must be known.
      if (items === undefined && (c.type === "amend" || c.side === "sell")) return undefined;
      if (items !== undefined) wallets.items.set(c.playerId, items);
    }
    return wallets;
  }

  /**
   * After a committed batch: `before` is each wallet's amount before it (a locked read, or what the
   * one statement found), `postings` the batch's netted postings. A posting to a wallet not in
   * `before` is added to what was remembered, when anything was (an upsert: the row exists now).
   */
  learn(before: ReadonlyMap<string, number>, postings: readonly Posting[], fresh: ReadonlySet<string> = new Set()): void {
    if (this.amounts.size + before.size > MAX_WALLETS) this.amounts.clear();
    for (const [key, amount] of before) this.amounts.set(key, amount);
    for (const p of postings) {
      const key = `${p.player}|${p.asset}`;
      const known = this.amounts.get(key);
      if (fresh.has(key)) this.amounts.set(key, p.available);
      else if (known !== undefined) this.amounts.set(key, known + p.available);
    }
  }

  /** A locked read's news about who may trade. */
  readFlags(players: Iterable<string>, barred: ReadonlySet<string>): void {
    for (const p of players) {
      if (barred.has(p)) this.barred.add(p);
      else this.barred.delete(p);
    }
  }

  forget(): void {
    this.amounts.clear();
    this.barred.clear();
  }
}
