/** Pure checks of an offer's shape, before anything touches the database. */
import { fail, type Failure } from "../result";
import type { OfferLineInput, OfferPolicy } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export interface OfferDraft {
  give: OfferLineInput[];
  ask: OfferLineInput[];
  message?: string;
  expiresInHours?: number;
}

export function validateDraft(draft: OfferDraft, policy: OfferPolicy): Failure | undefined {
  const lines = [...draft.give.map((l) => ["give", l] as const), ...draft.ask.map((l) => ["ask", l] as const)];
  if (lines.length === 0) return fail(400, "empty_offer", "an offer needs at least one line to give or to ask for");
  if (lines.length > policy.maxLines) return fail(400, "too_many_lines", `an offer has at most ${policy.maxLines} lines (this one has ${lines.length})`);
  const seen = new Set<string>();
  for (const [side, line] of lines) {
    const where = `${side} line ${line.kind}`;
    if (line.kind === "unique") {
      if (typeof line.itemId !== "string" || !UUID.test(line.itemId)) return fail(400, "invalid_item", `${where}: itemId must be an item id (uuid)`);
      if (seen.has(line.itemId)) return fail(400, "duplicate_line", `item ${line.itemId} appears twice`);
      seen.add(line.itemId);
      continue;
    }
    if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0) {
      return fail(400, "invalid_quantity", `${where}: quantity must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`);
    }
    if (line.kind === "stack") {
      if (!Number.isSafeInteger(line.itemTypeId) || line.itemTypeId <= 0 || line.itemTypeId > 2_147_483_647) return fail(400, "invalid_item_type", `${where}: itemTypeId must be a positive whole number`);
      const key = `${side}:type:${line.itemTypeId}`;
      if (seen.has(key)) return fail(400, "duplicate_line", `${side}: item type ${line.itemTypeId} appears twice; put the total on one line`);
      seen.add(key);
    } else if (line.kind === "currency") {
      if (seen.has(`${side}:currency`)) return fail(400, "duplicate_line", `${side}: currency appears twice; put the total on one line`);
      seen.add(`${side}:currency`);
    } else {
      return fail(400, "invalid_line", `unknown line kind ${(line as { kind: unknown }).kind}`);
    }
  }
  const message = draft.message ?? "";
  if (typeof message !== "string" || message.length > policy.maxMessageLength) return fail(400, "invalid_message", `message is at most ${policy.maxMessageLength} characters`);
  if (CONTROL.test(message)) return fail(400, "invalid_message", "message contains control characters");
  const hours = draft.expiresInHours ?? policy.defaultExpiryHours;
  if (!Number.isSafeInteger(hours) || hours < 1 || hours > policy.maxExpiryHours) {
    return fail(400, "invalid_expiry", `expiresInHours must be a whole number from 1 to ${policy.maxExpiryHours}`);
  }
  return undefined;
}
