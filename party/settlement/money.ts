/** Integer money arithmetic for settlement. Fees round down (in the payer's favour). */

/** floor(notional * bps / 10000) without leaving the safe-integer range. */
export function fee(notional: number, bps: number): number {
  const whole = Math.floor(notional / 10_000);
  const rest = notional - whole * 10_000;
  return whole * bps + Math.floor((rest * bps) / 10_000);
}

/** Copper a buy must hold back: price x quantity plus the larger of the two fees. */
export function buyReservation(price: number, quantity: number, maxBps: number): number | undefined {
  const notional = price * quantity;
  if (!Number.isSafeInteger(notional)) return undefined;
  const total = notional + fee(notional, maxBps);
  return Number.isSafeInteger(total) ? total : undefined;
}
