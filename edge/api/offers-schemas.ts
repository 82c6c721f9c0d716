/**
 * Schemas of the direct trade offer endpoints (validation and OpenAPI share them).
 * A line is currency (integer copper), a stack (an item type and a count) or one unique item.
 * Lines are written from the sender's side: `give` is what the sender hands over, `ask` what the
 * sender wants from the recipient.
 */
import { z } from "zod";
import { positiveSafeInt, Username } from "../validation";
import { ItemInfo, UniqueItem } from "./schemas";

export const MAX_LINES = 100;
export const MAX_MESSAGE = 500;
export const MAX_EXPIRY_HOURS = 14 * 24;

/** Control characters other than tab and line breaks (the domain refuses the same set). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]/;
const LONE_SURROGATE = /\p{Cs}/u;

const uuid = (field: string, what: string) => z.uuid(`${field} must be ${what} (a uuid)`);

export const CurrencyLine = z.strictObject({
  kind: z.literal("currency"),
  quantity: positiveSafeInt("quantity").meta({ description: "integer copper (100 copper = 1 gold)" }),
});
export const StackLine = z.strictObject({
  kind: z.literal("stack"),
  itemTypeId: positiveSafeInt("itemTypeId", 2_147_483_647),
  quantity: positiveSafeInt("quantity"),
});
export const UniqueLine = z.strictObject({ kind: z.literal("unique"), itemId: uuid("itemId", "an item id") });

export const OfferLineInput = z.discriminatedUnion("kind", [CurrencyLine, StackLine, UniqueLine], {
  error: (i) => (i.code === "invalid_union" ? "kind must be currency, stack or unique" : undefined),
});

const lines = (side: "give" | "ask", what: string) =>
  z
    .array(OfferLineInput, { error: (i) => (i.input === undefined ? undefined : `${side} must be a list of lines`) })
    .max(MAX_LINES, `${side}: at most ${MAX_LINES} lines`)
    .default([])
    .meta({ description: what });

export const OfferMessage = z
  .string({ error: "message must be a string" })
  .max(MAX_MESSAGE, `message must be at most ${MAX_MESSAGE} characters`)
  .refine((s) => !CONTROL.test(s), "message must not contain control characters")
  .refine((s) => !LONE_SURROGATE.test(s), "message must be valid Unicode");

const Draft = {
  give: lines("give", "what you hand over"),
  ask: lines("ask", "what you want from the other player"),
  message: OfferMessage.optional(),
  expiresInHours: positiveSafeInt("expiresInHours", MAX_EXPIRY_HOURS).optional().meta({ description: `1-${MAX_EXPIRY_HOURS}, default 72` }),
};

const someLines = (d: { give: unknown[]; ask: unknown[] }) => d.give.length + d.ask.length > 0;
const fewLines = (d: { give: unknown[]; ask: unknown[] }) => d.give.length + d.ask.length <= MAX_LINES;
const checkCount = <T extends z.ZodType<{ give: unknown[]; ask: unknown[] }>>(s: T) =>
  s
    .refine(someLines, { message: "an offer needs at least one line to give or to ask for", path: ["give"] })
    .refine(fewLines, { message: `an offer has at most ${MAX_LINES} lines in all (give + ask)`, path: ["ask"] });

const StepUpCode = z.string().max(40, "code: at most 40 characters").optional().meta({ description: "step-up (ADR 035): a current code from your authenticator app or a recovery code, after a 403 step_up_required answer (only accounts with two-factor sign-in on are asked)" });
export const CreateOffer = checkCount(z.strictObject({ to: Username.meta({ description: "the recipient's username" }), ...Draft, code: StepUpCode }));
export const CounterOffer = checkCount(z.strictObject({ ...Draft, code: StepUpCode }));
export const AcceptOffer = z.strictObject({
  confirm: z.boolean({ error: "confirm must be true or false" }).optional().meta({ description: "set after a 428 confirmation_required answer" }),
  code: StepUpCode,
});
export const BlockPlayer = z.strictObject({ username: Username });

export const OffersQuery = z.strictObject({
  box: z
    .enum(["inbox", "sent", "history"], "box must be inbox, sent or history")
    .default("inbox")
    .meta({ description: "inbox: pending offers to me; sent: pending offers from me; history: resolved ones" }),
});

/**
 * Path parameters. The router checks them before authentication, so these only bound the raw
 * segment; the handlers check the shape after authentication (a bad id is a 400 for a signed-in
 * caller, and an anonymous caller learns nothing but 401).
 */
const segment = (format: string, description: string) => z.string().max(200).meta({ format, description });
export const OfferParams = z.strictObject({ id: segment("uuid", "offer id") });
export const BlockParams = z.strictObject({ playerId: segment("uuid", "the blocked player's id") });
export const PlayerParams = z.strictObject({ username: z.string().max(200).meta({ description: "a player's username (case-insensitive)" }) });
export const OfferId = uuid("id", "an offer id");
export const PlayerId = uuid("playerId", "a player id");

const nullableIso = z.iso.datetime().nullable();
export const OfferLine = z.object({
  direction: z.enum(["give", "ask"]).meta({ description: "give: the sender hands it over; ask: the recipient does" }),
  kind: z.enum(["currency", "stack", "unique"]),
  itemTypeId: z.int().nullable(),
  itemId: z.uuid().nullable(),
  quantity: z.int().meta({ description: "copper for currency, a count for stacks, 1 for unique items" }),
  name: z.string(),
  icon: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
});
export const Offer = z.object({
  id: z.uuid(),
  fromPlayerId: z.uuid(),
  fromUsername: z.string(),
  toPlayerId: z.uuid(),
  toUsername: z.string(),
  message: z.string(),
  status: z.enum(["pending", "accepted", "declined", "canceled", "countered", "expired", "failed"]),
  counterOfId: z.uuid().nullable().meta({ description: "the offer this one counters" }),
  failureReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  resolvedAt: nullableIso,
  lines: z.array(OfferLine),
});
export const OfferAnswer = z.object({ offer: Offer });
export const OfferList = z.object({ offers: z.array(Offer) });
export const ResolvedOffer = z.object({ ok: z.literal(true), offer: Offer });

const BlockedPlayer = z.object({ id: z.uuid(), username: z.string() });
export const BlockedList = z.object({ blocked: z.array(BlockedPlayer) });
export const BlockAnswer = z.object({ blocked: BlockedPlayer });

export const PlayerInventory = z.object({
  player: z.object({ username: z.string(), bot: z.boolean().meta({ description: "an NPC trader of the demo world" }) }),
  stacks: z.array(ItemInfo.extend({ available: z.int().min(1) })),
  uniques: z.array(UniqueItem),
});

export type OfferLineInput = z.output<typeof OfferLineInput>;
