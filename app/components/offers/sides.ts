/** An offer seen by one of its two players: what I give, what I get, who the other one is. */
import type { Offer, OfferLine } from "../../../db/offers";

export type OfferView = Pick<Offer, "fromPlayerId" | "fromUsername" | "toUsername" | "lines">;

export function sides(offer: OfferView, viewerId: string) {
  const sender = offer.fromPlayerId === viewerId;
  const mine: OfferLine["direction"] = sender ? "give" : "ask";
  return {
    role: sender ? ("sender" as const) : ("recipient" as const),
    other: sender ? offer.toUsername : offer.fromUsername,
    youGive: offer.lines.filter((l) => l.direction === mine),
    youGet: offer.lines.filter((l) => l.direction !== mine),
  };
}

export const STATUS_WORDS: Record<string, string> = {
  pending: "Waiting for an answer",
  accepted: "Accepted: the trade is done",
  declined: "Declined",
  canceled: "Withdrawn by the sender",
  countered: "Answered with a counter offer",
  expired: "Expired",
  failed: "Could not be completed",
};
