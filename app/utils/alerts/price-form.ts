/**
 * A price alert's checks, shared by the API (price in copper) and the market page's form (price in
 * gold, as typed): the market's tick, the order bounds, and the repeat choices. Messages say what is
 * wrong and what to do.
 */
import { MAX_PRICE } from "../../../party/bounds";
import { formatGold } from "../money";
import { checkPrice } from "../ticket";

/** Repeat choices: one-shot, or again at most every ... */
export const COOLDOWNS: Array<{ seconds: number | null; label: string }> = [
  { seconds: null, label: "Once" },
  { seconds: 300, label: "Repeat, at most every 5 minutes" },
  { seconds: 3_600, label: "Repeat, at most every hour" },
  { seconds: 86_400, label: "Repeat, at most once a day" },
];
export const MIN_COOLDOWN_SECONDS = 60;
export const MAX_COOLDOWN_SECONDS = 604_800;

/** Why a price in copper is not acceptable for this market, or undefined. */
export function priceAlertProblem(price: number, tickSize: number): string | undefined {
  if (!Number.isSafeInteger(price) || price <= 0) return "The price must be a positive whole number of copper.";
  if (price > MAX_PRICE) return `The price can be at most ${MAX_PRICE} copper (${formatGold(MAX_PRICE)} gold).`;
  if (price % tickSize !== 0) {
    const lower = price - (price % tickSize);
    const options = [lower, lower + tickSize].filter((p) => p > 0 && p <= MAX_PRICE);
    return `The price must be a multiple of the market's tick size (${tickSize} copper). Try ${options.join(" or ")}.`;
  }
  return undefined;
}

export interface PriceAlertFormInput {
  direction: string;
  price: string;
  repeat: string;
}

/** The market page's form: gold text, a direction and a repeat choice. */
export function checkPriceAlertForm(input: PriceAlertFormInput, tickSize: number):
  | { ok: true; direction: "above" | "below"; price: number; cooldownSeconds: number | null }
  | { ok: false; errors: { direction?: string; price?: string; repeat?: string } } {
  const errors: { direction?: string; price?: string; repeat?: string } = {};
  const direction = input.direction === "above" || input.direction === "below" ? input.direction : undefined;
  if (!direction) errors.direction = "Choose at or above, or at or below.";
  const price = checkPrice(input.price, { tickSize });
  if (price.error) errors.price = price.error;
  const choice = COOLDOWNS.find((c) => String(c.seconds ?? "once") === input.repeat);
  if (!choice) errors.repeat = "Choose once, or how often it may repeat.";
  if (!direction || price.price === undefined || !choice) return { ok: false, errors };
  return { ok: true, direction, price: price.price, cooldownSeconds: choice.seconds };
}
