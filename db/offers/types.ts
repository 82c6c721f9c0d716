/** Direct trade offers: what a line is, what an offer looks like, and the anti-scam policy. */
export type OfferLineInput =
  | { kind: "currency"; quantity: number }
  | { kind: "stack"; itemTypeId: number; quantity: number }
  | { kind: "unique"; itemId: string };

export type OfferStatus = "pending" | "accepted" | "declined" | "canceled" | "countered" | "expired" | "failed";

export interface OfferLine {
  direction: "give" | "ask";
  kind: "currency" | "stack" | "unique";
  itemTypeId: number | null;
  itemId: string | null;
  quantity: number;
  /** Filled in by reads: what the line is, in words. */
  name?: string;
  icon?: string;
  metadata?: Record<string, unknown> | null;
}

export interface Offer {
  id: string;
  fromPlayerId: string;
  fromUsername: string;
  toPlayerId: string;
  toUsername: string;
  message: string;
  status: OfferStatus;
  counterOfId: string | null;
  failureReason: string | null;
  createdAt: string;
  expiresAt: string;
  resolvedAt: string | null;
  lines: OfferLine[];
}

export interface OfferPolicy {
  /** Accounts younger than this cannot send offers (new-account scams). */
  minAccountAgeSeconds: number;
  /** An offer cannot be accepted this soon after it was sent (bait-and-switch). */
  acceptDelaySeconds: number;
  /** Offers whose value (currency + stacks at last market price) reaches this need confirmation. */
  confirmAboveCopper: number;
  maxLines: number;
  defaultExpiryHours: number;
  maxExpiryHours: number;
  maxMessageLength: number;
}

export const defaultOfferPolicy: OfferPolicy = {
  minAccountAgeSeconds: 24 * 3600,
  acceptDelaySeconds: 5,
  confirmAboveCopper: 1_000_000,
  maxLines: 100,
  defaultExpiryHours: 72,
  maxExpiryHours: 14 * 24,
  maxMessageLength: 500,
};
