/** Request and response schemas of the game-server and operator API (validation and OpenAPI share them). */
import { z } from "zod";
import { SCOPES } from "../../db/game-servers/scopes";
import { positiveSafeInt, text } from "../validation";

const PlayerId = z.uuid("playerId must be a player's id (uuid)").meta({ description: "the player's id (GET /api/v1/me returns it to the player)" });
const ItemTypeSlug = z.string("itemType must be a string").regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "itemType must be an item type's slug (lowercase letters, digits, -)");
const Reason = text("reason", 200).optional().meta({ description: "free text kept in the ledger event, e.g. \"quest: the lost ring\"" });
const Metadata = z.record(z.string(), z.unknown(), "metadata must be a JSON object").meta({ description: "checked against the item type's metadataSchema" });

export const MintCurrency = z.strictObject({ playerId: PlayerId, amount: positiveSafeInt("amount").meta({ description: "copper" }), reason: Reason });
export const BurnCurrency = MintCurrency;
export const GrantStack = z.strictObject({ playerId: PlayerId, itemType: ItemTypeSlug, quantity: positiveSafeInt("quantity"), reason: Reason });
export const BurnStack = GrantStack;
export const MintUnique = z.strictObject({ playerId: PlayerId, itemType: ItemTypeSlug, metadata: Metadata, reason: Reason });
export const BurnUnique = z.strictObject({ playerId: PlayerId.meta({ description: "the item's owner (checked)" }), reason: Reason });
export const ItemParams = z.strictObject({ id: z.uuid("the item id must be a uuid") });
export const PlayerParams = z.strictObject({ id: z.uuid("the player id must be a uuid") });

export const GrantLine = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("currency"), playerId: PlayerId, amount: positiveSafeInt("amount") }),
  z.strictObject({ kind: z.literal("stack"), playerId: PlayerId, itemType: ItemTypeSlug, quantity: positiveSafeInt("quantity") }),
  z.strictObject({ kind: z.literal("unique"), playerId: PlayerId, itemType: ItemTypeSlug, metadata: Metadata }),
], "each grant needs kind: currency, stack or unique");
export const MAX_GRANTS = 500;
export const Grants = z.strictObject({
  reason: Reason,
  grants: z.array(GrantLine, "grants must be an array").min(1, "grants must not be empty").max(MAX_GRANTS, `at most ${MAX_GRANTS} grants per batch`),
});

export const GrantResult = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("currency"), playerId: z.uuid(), amount: z.int() }),
  z.object({ kind: z.literal("stack"), playerId: z.uuid(), itemType: z.string(), itemTypeId: z.int(), quantity: z.int() }),
  z.object({ kind: z.literal("unique"), playerId: z.uuid(), itemType: z.string(), itemTypeId: z.int(), itemId: z.uuid() }),
]);
export const GrantsAnswer = z.object({ grants: z.array(GrantResult) });
export const Burned = z.object({ burned: z.literal(true) });

const Bps = z.int("fees are whole basis points").min(0).max(1000).meta({ description: "basis points (1/100 of a percent), 0-1000" });
const JsonSchemaObject = z.record(z.string(), z.unknown()).nullable().meta({ description: "JSON Schema (2020-12) with \"type\": \"object\" that unique items' metadata must satisfy" });
const Category = z.string().regex(/^[a-z0-9-]{1,32}$/, "category must be 1-32 lowercase letters, digits or -");
export const CreateItemType = z.strictObject({
  slug: ItemTypeSlug,
  name: text("name", 80),
  description: text("description", 500),
  category: Category,
  icon: text("icon", 16),
  stackable: z.boolean("stackable must be true or false"),
  tickSize: positiveSafeInt("tickSize", 1_000_000_000).optional().meta({ description: "stackable only: price step in copper (default 1)" }),
  lotSize: positiveSafeInt("lotSize", 1_000_000_000).optional().meta({ description: "stackable only: quantity step (default 1)" }),
  makerFeeBps: Bps.optional(),
  takerFeeBps: Bps.optional(),
  metadataSchema: JsonSchemaObject.optional(),
});
export const UpdateItemType = z.strictObject({
  name: text("name", 80).optional(),
  description: text("description", 500).optional(),
  category: Category.optional(),
  icon: text("icon", 16).optional(),
  metadataSchema: JsonSchemaObject.optional(),
});
export const ItemTypeParams = z.strictObject({ slug: ItemTypeSlug });
export const ServerItemType = z.object({
  id: z.int(), slug: z.string(), name: z.string(), description: z.string(), category: z.string(), icon: z.string(), stackable: z.boolean(),
  tickSize: z.int(), lotSize: z.int(), metadataSchema: z.record(z.string(), z.unknown()).nullable(),
  market: z.object({ slug: z.string(), makerFeeBps: z.int(), takerFeeBps: z.int() }).nullable(),
});

export const Freeze = z.strictObject({ reason: text("reason", 200) });
export const Unfreeze = z.strictObject({ reason: Reason });
export const FreezeAnswer = z.object({
  playerId: z.uuid(), frozen: z.boolean(), frozenAt: z.iso.datetime().nullable(), frozenBy: z.string().nullable(), reason: z.string().nullable(),
  changed: z.boolean().meta({ description: "false when the player was already in that state" }),
  ordersCancelledIn: z.array(z.string()).meta({ description: "markets where open orders were cancelled" }),
  cancelFailedIn: z.array(z.string()).meta({ description: "markets that did not answer: send the same call again (new signature, same Idempotency-Key) to retry" }),
});

const Limits = z.strictObject({
  currency: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional().meta({ description: "copper per clock hour" }),
  items: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional().meta({ description: "items per clock hour (stack quantities plus unique items)" }),
});
export const ServerMe = z.object({
  name: z.string(), keyId: z.string(), scopes: z.array(z.string()), mintLimits: Limits,
  mintedThisHour: z.object({ currency: z.int(), items: z.int() }),
});

export const CreateServer = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, "name must be 2-40 lowercase letters, digits or -"),
  scopes: z.array(z.enum(SCOPES, `each scope must be one of ${SCOPES.join(", ")}`)).min(1, "give at least one scope"),
  mintLimits: Limits,
});
export const UpdateServer = z.strictObject({
  scopes: CreateServer.shape.scopes.optional(),
  mintLimits: Limits.optional().meta({ description: "replaces the limits (a missing key is 0)" }),
  status: z.enum(["active", "disabled"], "status must be active or disabled").optional(),
});
export const ServerInfo = z.object({ name: z.string(), scopes: z.array(z.string()), mintLimits: Limits, status: z.string() });
export const ServerParams = z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, "name must be a game server's name") });
export const KeyParams = ServerParams.extend({ keyId: z.string().regex(/^gsk_[A-Za-z0-9_-]{22}$/, "keyId must be a key id (gsk_...)") });
export const IssuedKey = z.object({ keyId: z.string(), secret: z.string().meta({ description: "shown once; the server stores it sealed (AES-GCM)" }) });
export const CreatedServer = IssuedKey.extend({ name: z.string(), scopes: z.array(z.string()), mintLimits: Limits });
export const ServerList = z.object({
  servers: z.array(z.object({
    name: z.string(), scopes: z.array(z.string()), mintLimits: Limits, status: z.string(),
    keys: z.array(z.object({ keyId: z.string(), createdAt: z.iso.datetime(), lastUsedAt: z.iso.datetime().nullable() })),
  })),
});
