/**
 * The compose form (new offer, counter offer) as posted by a browser without JavaScript:
 *   give.gold / ask.gold           an amount of gold: "12", "12.5", "1,250.75" (integer parsing, no floats)
 *   give.stack.<itemTypeId>        a whole quantity ("" or "0": not on the offer)
 *   give.unique                    an item id, once per ticked item (ask.* likewise)
 *   message, expiresInHours
 * Everything is checked here; anything wrong comes back as a message per field, before any
 * database work. The domain (db/offers) checks ownership and the rest.
 */
import type { OfferLineInput } from "../../db/offers";
import { MAX_EXPIRY_HOURS, MAX_LINES, MAX_MESSAGE, OfferMessage } from "../api/offers-schemas";

export const COPPER_PER_GOLD = 100;
export const EXPIRY_CHOICES = [1, 6, 24, 72, 168, 336] as const;
export const DEFAULT_EXPIRY_HOURS = 72;

export type Side = "give" | "ask";

export interface ComposeDraft {
  give: OfferLineInput[];
  ask: OfferLineInput[];
  message: string;
  expiresInHours: number;
}

export type ComposeResult =
  | { ok: true; draft: ComposeDraft }
  | { ok: false; formError: string; fieldErrors: Record<string, string> };

const GOLD = /^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{0,2}))?$/;
const MAX_GOLD_DIGITS = 13; // 10^13 gold = 10^15 copper < 2^53

/** "1,250.5" -> 125050 copper; "" -> 0; undefined and a message when it is not an amount of gold. */
export function parseGold(raw: string): { copper: number } | { error: string } {
  const s = raw.trim();
  if (s === "") return { copper: 0 };
  if (/^\d*\.\d{3,}$/.test(s.replace(/,/g, ""))) return { error: "gold has at most 2 decimals (1 copper = 0.01 gold)" };
  const m = GOLD.exec(s);
  if (!m) return { error: "enter an amount of gold like 12 or 12.50" };
  const [whole, cents = ""] = s.replace(/,/g, "").split(".") as [string, string?];
  const digits = whole.replace(/^0+(?=\d)/, "");
  if (digits.length > MAX_GOLD_DIGITS) return { error: "that is more gold than exists" };
  const copper = Number(digits) * COPPER_PER_GOLD + Number(cents.padEnd(2, "0") || "0");
  if (!Number.isSafeInteger(copper)) return { error: "that is more gold than exists" };
  return { copper };
}

/** "3" -> 3; "" or "0" -> 0; a message for anything but a whole number. */
export function parseQuantity(raw: string): { quantity: number } | { error: string } {
  const s = raw.trim();
  if (s === "") return { quantity: 0 };
  if (!/^[0-9]{1,16}$/.test(s)) return { error: "enter a whole number (0 to leave it out)" };
  const n = Number(s);
  if (!Number.isSafeInteger(n)) return { error: "that number is too large" };
  return { quantity: n };
}

const FIELD = /^(give|ask)\.(gold|unique|stack\.([0-9]{1,10}))$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readComposeForm(form: FormData): ComposeResult {
  const fieldErrors: Record<string, string> = {};
  const draft: ComposeDraft = { give: [], ask: [], message: "", expiresInHours: DEFAULT_EXPIRY_HOURS };
  const seen = new Set<string>();
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string") continue;
    const m = FIELD.exec(name);
    if (!m) continue;
    const side = m[1] as Side;
    if (m[2] === "unique") {
      if (!UUID.test(value)) fieldErrors[name] = "not an item id";
      else if (seen.has(`${side}:${value}`)) continue;
      else {
        seen.add(`${side}:${value}`);
        draft[side].push({ kind: "unique", itemId: value.toLowerCase() });
      }
      continue;
    }
    if (seen.has(`${side}:${name}`)) {
      fieldErrors[name] = "given twice";
      continue;
    }
    seen.add(`${side}:${name}`);
    if (m[2] === "gold") {
      const gold = parseGold(value);
      if ("error" in gold) fieldErrors[name] = gold.error;
      else if (gold.copper > 0) draft[side].push({ kind: "currency", quantity: gold.copper });
    } else {
      const itemTypeId = Number(m[3]);
      const q = parseQuantity(value);
      if ("error" in q) fieldErrors[name] = q.error;
      else if (itemTypeId < 1 || itemTypeId > 2_147_483_647) fieldErrors[name] = "not an item type";
      else if (q.quantity > 0) draft[side].push({ kind: "stack", itemTypeId, quantity: q.quantity });
    }
  }

  const message = form.get("message");
  if (message !== null) {
    const text = typeof message === "string" ? message.replace(/\r\n/g, "\n") : "";
    const checked = OfferMessage.safeParse(text);
    if (!checked.success) fieldErrors.message = checked.error.issues[0]?.message ?? `at most ${MAX_MESSAGE} characters`;
    else draft.message = text;
  }
  const hours = form.get("expiresInHours");
  if (hours !== null) {
    const h = parseQuantity(typeof hours === "string" ? hours : "x");
    if ("error" in h || h.quantity < 1 || h.quantity > MAX_EXPIRY_HOURS) fieldErrors.expiresInHours = `choose 1 to ${MAX_EXPIRY_HOURS} hours`;
    else draft.expiresInHours = h.quantity;
  }

  if (Object.keys(fieldErrors).length > 0) return { ok: false, formError: "Some fields need another look.", fieldErrors };
  const lines = draft.give.length + draft.ask.length;
  if (lines === 0) return { ok: false, formError: "Put something on the offer: what you give, what you ask for, or both.", fieldErrors };
  if (lines > MAX_LINES) return { ok: false, formError: `An offer has at most ${MAX_LINES} lines (this one has ${lines}).`, fieldErrors };
  return { ok: true, draft };
}

/** The form values that reproduce a draft (to refill the form after a refusal, or to prefill a counter). */
export function draftValues(draft: Pick<ComposeDraft, "give" | "ask">): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const side of ["give", "ask"] as const) {
    const uniques: string[] = [];
    for (const l of draft[side]) {
      if (l.kind === "currency") values[`${side}.gold`] = formatGoldInput(l.quantity);
      else if (l.kind === "stack") values[`${side}.stack.${l.itemTypeId}`] = String(l.quantity);
      else uniques.push(l.itemId);
    }
    if (uniques.length) values[`${side}.unique`] = uniques;
  }
  return values;
}

/** 125050 -> "1250.50" (for an input's value: no thousands separators). */
export function formatGoldInput(copper: number): string {
  const cents = copper % COPPER_PER_GOLD;
  return `${(copper - cents) / COPPER_PER_GOLD}${cents ? `.${String(cents).padStart(2, "0")}` : ""}`;
}

/** What the browser posted, to refill the form after a refusal (bounded: the form is at most 16 KB). */
export function postedValues(form: FormData): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string" || !(FIELD.test(name) || name === "message" || name === "expiresInHours")) continue;
    if (name.endsWith(".unique")) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else values[name] = value;
  }
  return values;
}
