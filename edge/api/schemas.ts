/** The JSON API's request and response schemas: validation and the OpenAPI document share them. */
import { z } from "zod";
import { Password, queryPositiveInt, text, Username } from "../validation";

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "stable snake_case code, e.g. invalid_request" }),
      message: z.string().meta({ description: "what went wrong, in words" }),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      requestId: z.string().optional().meta({ description: "this request's id (also the X-Request-Id header): quote it when asking for help" }),
      traceId: z.string().optional().meta({ description: "the W3C trace this request belongs to (your traceparent's, or one the edge started)" }),
    }),
  })
  ;

export const Health = z.object({
  ok: z.literal(true),
  db: z.enum(["up", "slow"]).meta({ description: "up: the database answered a round trip; slow: no answer within 2.5 s but nothing refused (busy, not down)" }),
  rooms: z.enum(["up", "slow", "not configured"]).meta({ description: "up: the market rooms' host answered; slow: no answer within 2.5 s but nothing refused" }),
});

export const Liveness = z.object({ live: z.literal(true) });

export const Readiness = z.object({
  ready: z.literal(true),
  db: z.enum(["up", "slow"]).meta({ description: "slow: no answer within 2.5 s but nothing refused (busy, not down)" }),
  migrations: z.enum(["current", "unknown"]).meta({ description: "current: the database has every migration this build was made with; unknown: the database was too slow to say" }),
  rooms: z.enum(["up", "slow", "not configured"]),
  build: z.object({ migrations: z.number().int(), last: z.string().meta({ description: "the last migration's tag" }) }),
});

export const ItemTypesQuery = z.strictObject({
  q: text("q", 100).optional().meta({ description: "full-text search (web-search syntax: words, \"phrases\", -not, or)" }),
  category: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, "category must be 1-32 lowercase letters, digits or -")
    .optional(),
  limit: queryPositiveInt("limit", 100).optional().meta({ description: "1-100, default 20" }),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, "cursor must be a value returned as nextCursor").optional(),
});

export const ItemType = z
  .object({
    id: z.int(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    icon: z.string(),
    stackable: z.boolean(),
    tickSize: z.int().meta({ description: "price step, in copper" }),
    lotSize: z.int().meta({ description: "quantity step, in items" }),
  })
  ;

export const ItemTypePage = z.object({ items: z.array(ItemType), nextCursor: z.string().nullable() });

export const Me = z.object({ id: z.uuid(), username: z.string(), roles: z.array(z.string()) });

const Copper = z.int().min(0).meta({ description: "integer copper; 100 copper = 1 gold" });
const Quantity = z.int().min(0);

/** What every inventory line says about its item type. */
export const ItemInfo = z.object({ itemTypeId: z.int(), slug: z.string(), name: z.string(), category: z.string(), icon: z.string() });
export const UniqueItem = ItemInfo.extend({ id: z.uuid(), metadata: z.record(z.string(), z.unknown()) });

export const Inventory = z.object({
  balance: z.object({ available: Copper, reserved: Copper }),
  stacks: z.array(ItemInfo.extend({ available: Quantity, reserved: Quantity })),
  uniques: z.array(UniqueItem.extend({ state: z.enum(["held", "escrowed"]) })),
});

export const CreateToken = z.strictObject({
  username: Username,
  password: Password,
  label: text("label", 64),
  /** With two-factor sign-in on: the current 6-digit code or a recovery code (ADR 028). */
  code: z.string().max(40, "code must be at most 40 characters").optional(),
});

const TokenId = z.string().regex(/^[0-9a-f]{64}$/, "id must be a token id as listed by GET /api/v1/tokens");
export const TokenParams = z.strictObject({ id: TokenId });

export const TokenInfo = z
  .object({
    id: TokenId,
    label: z.string().nullable(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
  })
  ;

export const CreatedToken = z.object({
  id: TokenId,
  label: z.string(),
  expiresAt: z.iso.datetime(),
  token: z.string().meta({ description: "the bearer token; shown once, only its SHA-256 is stored" }),
});

export const TokenList = z.object({ tokens: z.array(TokenInfo) });
