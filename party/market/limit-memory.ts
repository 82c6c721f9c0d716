/**
 * What a market room remembers of its trading limits' usage between batches (ADR 027, 2026-12-04
 * addendum), pure. The room is its market's only writer of fills, so once it has read a buyer's
 * purchases in the buy window it can keep them up to date from its own committed fills instead of
 * reading them again every batch; sign-up times never change. A batch then reads only the players
 * it has not met (or has forgotten), and a limited market's steady state costs what an unlimited
 * one does: the limits row's primary-key probe.
 *
 * Forget everything when the room reloads (a commit whose outcome is unknown may have written fills
 * it never saw), when the limits go, or when the buy window changes (the purchases held were for
 * the old window).
 */
import type { LimitsView, TradingLimits } from "../settlement/limits";
import type { FillRow } from "../settlement/types";

/** What one batch read (readAndLock's s and w rows) for the players it asked about. */
export interface LimitsRead {
  limits: TradingLimits;
  signedUp: Map<string, number>;
  bought: Map<string, Array<[number, number]>>;
}

/** Past this many remembered players, the sign-up times start over (they are read again when needed). */
const MAX_SIGNED_UP = 100_000;

export class LimitMemory {
  private readonly signedUp = new Map<string, number>();
  /** Per buyer: every purchase in the window, as [batch epoch ms, quantity]; present = complete. */
  private readonly bought = new Map<string, Array<[number, number]>>();
  /** The buy window (seconds) the purchases held are complete for. */
  private windowSeconds: number | undefined;
  private batches = 0;

  /** The players of a batch whose sign-up time or purchases it must read. */
  unknown(traders: readonly string[], buyers: readonly string[]): { traders: string[]; buyers: string[] } {
    return {
      traders: [...new Set(traders)].filter((p) => !this.signedUp.has(p)),
      buyers: [...new Set(buyers)].filter((p) => !this.bought.has(p)),
    };
  }

  /** Whether what is held was gathered for these limits (the same buy window). */
  holdsFor(limits: TradingLimits): boolean {
    return this.windowSeconds === undefined || this.windowSeconds === limits.buyWindowSeconds;
  }

  /**
   * The planner's view for a batch: the read rows for the players just read, memory for the rest,
   * purchases older than the window left out. Stores nothing: `committed` does, after COMMIT.
   */
  view(read: LimitsRead, traders: readonly string[], buyers: readonly string[], askedBuyers: readonly string[], at: number): Omit<LimitsView, "itemName"> {
    const from = at - read.limits.buyWindowSeconds * 1_000;
    const signedUp = new Map<string, number>();
    for (const p of traders) {
      const t = read.signedUp.get(p) ?? this.signedUp.get(p);
      if (t !== undefined) signedUp.set(p, t);
    }
    const asked = new Set(askedBuyers);
    const bought = new Map<string, Array<[number, number]>>();
    for (const p of buyers) {
      const held = asked.has(p) ? read.bought.get(p) : this.bought.get(p);
      const inWindow = (held ?? []).filter(([t]) => t > from);
      if (inWindow.length > 0) bought.set(p, inWindow);
    }
    return { limits: read.limits, signedUp, bought };
  }

  /** A batch committed: keep what it read and add what its fills bought. */
  committed(read: LimitsRead, askedBuyers: readonly string[], fills: readonly FillRow[], at: number): void {
    if (!this.holdsFor(read.limits)) this.forget();
    this.windowSeconds = read.limits.buyWindowSeconds;
    if (this.signedUp.size > MAX_SIGNED_UP) this.signedUp.clear();
    for (const [p, t] of read.signedUp) this.signedUp.set(p, t);
    for (const p of askedBuyers) this.bought.set(p, [...(read.bought.get(p) ?? [])].sort((a, b) => a[0] - b[0]));
    const from = at - read.limits.buyWindowSeconds * 1_000;
    const touched = new Set<string>();
    for (const f of fills) {
      const buyer = f.takerSide === "buy" ? f.takerPlayerId : f.makerPlayerId;
      // A buyer not held (a resting bid's owner the room never read) is read, whole, when next met.
      const list = this.bought.get(buyer);
      if (!list) continue;
      list.push([at, f.quantity]);
      touched.add(buyer);
    }
    // An active buyer's list keeps only the window.
    for (const p of touched) {
      const list = this.bought.get(p)!;
      if (list[0]![0] <= from) this.bought.set(p, list.filter(([t]) => t > from));
    }
    if (++this.batches % 1_000 === 0) this.sweep(at);
  }

  /** Drops buyers whose every purchase has left the window (they are read again when met). */
  private sweep(at: number): void {
    if (this.windowSeconds === undefined) return;
    const from = at - this.windowSeconds * 1_000;
    for (const [p, list] of this.bought) if (list.every(([t]) => t <= from)) this.bought.delete(p);
  }

  forget(): void {
    this.signedUp.clear();
    this.bought.clear();
    this.windowSeconds = undefined;
  }

  /** How many players are held (for tests and the stall log). */
  get size(): { signedUp: number; buyers: number } {
    return { signedUp: this.signedUp.size, buyers: this.bought.size };
  }
}
