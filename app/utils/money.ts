/**
 * Currency display. Amounts are integer copper (minor units); 100 copper = 1 gold. Formatting
 * uses integer arithmetic only: no floats ever touch an amount.
 */
export const COPPER_PER_GOLD = 100;

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 123456 -> "1,234.56", -5 -> "-0.05". Throws on anything but a safe integer. */
export function formatGold(copper: number): string {
  if (!Number.isSafeInteger(copper)) throw new RangeError(`not an integer amount of copper: ${copper}`);
  const negative = copper < 0;
  const abs = negative ? -copper : copper;
  const cents = abs % COPPER_PER_GOLD;
  const whole = (abs - cents) / COPPER_PER_GOLD;
  return `${negative ? "-" : ""}${groupThousands(String(whole))}.${String(cents).padStart(2, "0")}`;
}

/** Whole numbers with thousands separators (item quantities). */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not an integer count: ${n}`);
  return (n < 0 ? "-" : "") + groupThousands(String(Math.abs(n)));
}
