/**
 * "A moment to offer push alerts" (ADR 014): an order placed (the ticket dispatches the event itself,
 * to keep the market page's first load small) or an offer sent (the compose form leaves a flag, the
 * offer page it lands on turns it into the event). app/components/pwa.tsx listens.
 */
export const ALERTS_MOMENT = "bazaar:alerts-moment";
const OFFER_SENT = "bazaar.offerSent";

export function alertsMoment(kind: "order" | "offer"): void {
  window.dispatchEvent(new CustomEvent(ALERTS_MOMENT, { detail: kind }));
}

export function markOfferSent(): void {
  try {
    sessionStorage.setItem(OFFER_SENT, String(Date.now()));
  } catch {
    // storage off: no prompt, nothing else changes
  }
}

/** On the offer page: an offer sent in the last minute is the moment. */
export function offerSentMoment(): void {
  try {
    const sent = Number(sessionStorage.getItem(OFFER_SENT));
    sessionStorage.removeItem(OFFER_SENT);
    if (sent && Date.now() - sent < 60_000) alertsMoment("offer");
  } catch {
    // storage off
  }
}
