/**
 * The ledger's vocabulary. An asset is a number: 0 is the currency (copper, integer minor units),
 * any other number is a stackable item type's id. Unique items are tracked one row each (ItemChange).
 */
export const CURRENCY = 0;
export type Asset = number;

/** A change to one holder's available and reserved amounts of one asset. Deltas, integers. */
export interface Posting {
  player: string;
  asset: Asset;
  available: number;
  reserved: number;
}

/** Money or items entering (minted: faucet) or leaving (burned, sunk as fees) the economy. */
export interface SupplyChange {
  asset: Asset;
  minted?: number;
  burned?: number;
  sunk?: number;
}

/** The new state of one unique item after this event; `v` is the item's new version. */
export interface ItemChange {
  id: string;
  type: number;
  owner: string | null;
  state: "held" | "escrowed" | "burned";
  v: number;
  metadata?: Record<string, unknown>;
}

export interface LedgerCtx {
  /** Who acts: "player:<id>", "server:<id>", "operator:<id>", "system:seed", "room:<slug>". */
  actor: string;
  correlationId?: string;
  causationId?: string;
}

/** What a ledger event records. Replay folds `postings` and `items`; check:ledger sums `supply`. */
export interface LedgerEntry {
  stream: string;
  type: string;
  postings?: Posting[];
  supply?: SupplyChange[];
  items?: ItemChange[];
  data?: Record<string, unknown>;
}

export type LedgerErrorCode =
  | "invalid_amount"
  | "insufficient_funds"
  | "insufficient_items"
  | "unknown_player"
  | "unknown_item_type"
  | "not_stackable"
  | "not_unique"
  | "unknown_item"
  | "not_owner"
  | "item_unavailable"
  | "unbalanced"
  | "supply_limit";

/** An expected failure: thrown inside a transaction to roll it back, mapped to 4xx at the edge. */
export class LedgerError extends Error {
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly status = code === "unbalanced" ? 500 : code.startsWith("unknown") ? 404 : 409,
  ) {
    super(message);
    this.name = "LedgerError";
  }
}

export function assertAmount(value: unknown, what: string): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new LedgerError("invalid_amount", `${what} must be a whole number between 1 and ${Number.MAX_SAFE_INTEGER}`, 400);
  }
}
