/**
 * The one schema. Amounts are integers: bigint columns read as JS numbers and every write path
 * checks Number.isSafeInteger (see docs/decisions/005-integers-for-money.md).
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });
const amount = (name: string) => bigint(name, { mode: "number" });
const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const players = pgTable(
  "players",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    username: text("username").notNull(),
    passwordHash: text("password_hash").notNull(),
    roles: text("roles").array().notNull().default(sql`'{player}'::text[]`),
    status: text("status").notNull().default("active"),
    /** An NPC trader of the demo world (npc/): a real account, marked so that people can tell. */
    bot: boolean("bot").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("players_username_lower_key").on(sql`lower(${t.username})`),
    check("players_status_check", sql`${t.status} in ('active','suspended','banned')`),
  ],
);

/** Web sessions and API bearer tokens. Only a SHA-256 of the token is stored. */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    playerId: uuid("player_id").notNull().references(() => players.id),
    kind: text("kind").notNull(),
    label: text("label"),
    csrfToken: text("csrf_token"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    index("sessions_player_idx").on(t.playerId),
    check("sessions_kind_check", sql`${t.kind} in ('web','api')`),
  ],
);

export const itemTypes = pgTable(
  "item_types",
  {
    id: serial("id").primaryKey(),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    category: text("category").notNull(),
    icon: text("icon").notNull(),
    stackable: boolean("stackable").notNull(),
    tickSize: amount("tick_size").notNull().default(1),
    lotSize: amount("lot_size").notNull().default(1),
    search: tsvector("search").generatedAlwaysAs(
      sql`to_tsvector('english', name || ' ' || description || ' ' || category)`,
    ),
    createdAt: createdAt(),
  },
  (t) => [
    index("item_types_search_idx").using("gin", t.search),
    check("item_types_sizes_check", sql`${t.tickSize} > 0 and ${t.lotSize} > 0`),
  ],
);

export const balances = pgTable(
  "balances",
  {
    playerId: uuid("player_id").primaryKey().references(() => players.id),
    available: amount("available").notNull().default(0),
    reserved: amount("reserved").notNull().default(0),
  },
  (t) => [check("balances_nonnegative", sql`${t.available} >= 0 and ${t.reserved} >= 0`)],
);

export const holdings = pgTable(
  "holdings",
  {
    playerId: uuid("player_id").notNull().references(() => players.id),
    itemTypeId: integer("item_type_id").notNull().references(() => itemTypes.id),
    available: amount("available").notNull().default(0),
    reserved: amount("reserved").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.playerId, t.itemTypeId] }),
    check("holdings_nonnegative", sql`${t.available} >= 0 and ${t.reserved} >= 0`),
  ],
);

/** Unique items: one row each. A burned item keeps its row (history) but has no owner. */
export const items = pgTable(
  "items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    itemTypeId: integer("item_type_id").notNull().references(() => itemTypes.id),
    ownerId: uuid("owner_id").references(() => players.id),
    state: text("state").notNull().default("held"),
    /** Bumped by every ledger change to this item; replay orders an item's changes by it. */
    version: integer("version").notNull().default(1),
    metadata: jsonb("metadata").notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [
    index("items_owner_idx").on(t.ownerId),
    check("items_state_check", sql`${t.state} in ('held','escrowed','burned')`),
    check("items_owner_check", sql`(${t.state} = 'burned') = (${t.ownerId} is null)`),
  ],
);

/** Append-only (trigger in migration 0001). Readers after the fact use (stream, version). */
export const events = pgTable(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    stream: text("stream").notNull(),
    version: integer("version").notNull(),
    type: text("type").notNull(),
    payload: jsonb("payload").notNull(),
    actor: text("actor").notNull(),
    causationId: uuid("causation_id"),
    correlationId: uuid("correlation_id").notNull(),
    eventId: uuid("event_id").notNull().defaultRandom().unique(),
    createdAt: createdAt(),
  },
  (t) => [
    unique("events_stream_version_key").on(t.stream, t.version),
    index("events_type_idx").on(t.type),
    check("events_version_positive", sql`${t.version} > 0`),
  ],
);

/** Current version of each event stream; the row lock serializes appends to one stream. */
export const streams = pgTable("streams", {
  stream: text("stream").primaryKey(),
  version: integer("version").notNull(),
});

/**
 * Running totals of what faucets minted and sinks burned, per asset (0 = currency). Keeps the
 * circulating supply of every asset within Number.MAX_SAFE_INTEGER, so no balance can overflow.
 * Fees sunk by markets are not tracked here (they only shrink supply); check:ledger sums events.
 */
export const supply = pgTable(
  "supply",
  {
    asset: integer("asset").primaryKey(),
    minted: amount("minted").notNull().default(0),
    burned: amount("burned").notNull().default(0),
  },
  (t) => [check("supply_check", sql`${t.minted} >= ${t.burned} and ${t.burned} >= 0`)],
);

/** Idempotency keys for retried writes (game-server API, client order ids, offers). */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    response: jsonb("response").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

export const markets = pgTable(
  "markets",
  {
    slug: text("slug").primaryKey(),
    itemTypeId: integer("item_type_id").notNull().unique().references(() => itemTypes.id),
    makerFeeBps: integer("maker_fee_bps").notNull().default(10),
    takerFeeBps: integer("taker_fee_bps").notNull().default(25),
    status: text("status").notNull().default("open"),
    createdAt: createdAt(),
  },
  (t) => [
    check("markets_status_check", sql`${t.status} in ('open','halted','closed')`),
    check("markets_fees_check", sql`${t.makerFeeBps} between 0 and 1000 and ${t.takerFeeBps} between 0 and 1000`),
  ],
);

export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey(),
    marketSlug: text("market_slug").notNull().references(() => markets.slug),
    playerId: uuid("player_id").notNull().references(() => players.id),
    clientOrderId: text("client_order_id").notNull(),
    side: text("side").notNull(),
    kind: text("kind").notNull(),
    timeInForce: text("time_in_force").notNull(),
    stp: text("stp").notNull().default("none"),
    /** Engine result code of a rejected order (0 otherwise), so a retry can answer the same. */
    code: integer("code").notNull().default(0),
    price: amount("price"),
    quantity: amount("quantity").notNull(),
    remaining: amount("remaining").notNull(),
    filled: amount("filled").notNull().default(0),
    reserved: amount("reserved").notNull().default(0),
    status: text("status").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    /** Queue position within a price level; a new one when an amend loses time priority. */
    priority: bigint("priority", { mode: "number" }).notNull().default(0),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("orders_client_order_key").on(t.playerId, t.clientOrderId),
    index("orders_market_open_idx").on(t.marketSlug, t.status),
    index("orders_player_idx").on(t.playerId, t.createdAt),
    check("orders_side_check", sql`${t.side} in ('buy','sell')`),
    check("orders_amounts_check", sql`${t.quantity} > 0 and ${t.remaining} >= 0 and ${t.filled} >= 0 and ${t.reserved} >= 0`),
  ],
);

export const fills = pgTable(
  "fills",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    marketSlug: text("market_slug").notNull().references(() => markets.slug),
    seq: bigint("seq", { mode: "number" }).notNull(),
    makerOrderId: uuid("maker_order_id").notNull(),
    takerOrderId: uuid("taker_order_id").notNull(),
    makerPlayerId: uuid("maker_player_id").notNull(),
    takerPlayerId: uuid("taker_player_id").notNull(),
    takerSide: text("taker_side").notNull(),
    price: amount("price").notNull(),
    quantity: amount("quantity").notNull(),
    makerFee: amount("maker_fee").notNull(),
    takerFee: amount("taker_fee").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique("fills_market_seq_key").on(t.marketSlug, t.seq),
    index("fills_maker_idx").on(t.makerPlayerId, t.createdAt),
    index("fills_taker_idx").on(t.takerPlayerId, t.createdAt),
    check("fills_amounts_check", sql`${t.price} > 0 and ${t.quantity} > 0 and ${t.makerFee} >= 0 and ${t.takerFee} >= 0`),
  ],
);

export const candles = pgTable(
  "candles",
  {
    marketSlug: text("market_slug").notNull().references(() => markets.slug),
    interval: text("interval").notNull(),
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    open: amount("open").notNull(),
    high: amount("high").notNull(),
    low: amount("low").notNull(),
    close: amount("close").notNull(),
    volume: amount("volume").notNull(),
    notional: amount("notional").notNull(),
    trades: integer("trades").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.marketSlug, t.interval, t.bucket] }),
    check("candles_interval_check", sql`${t.interval} in ('1m','5m','1h','1d')`),
  ],
);

export const tradeOffers = pgTable(
  "trade_offers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    fromPlayerId: uuid("from_player_id").notNull().references(() => players.id),
    toPlayerId: uuid("to_player_id").notNull().references(() => players.id),
    message: text("message").notNull().default(""),
    status: text("status").notNull().default("pending"),
    counterOfId: uuid("counter_of_id"),
    failureReason: text("failure_reason"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [
    index("trade_offers_to_idx").on(t.toPlayerId, t.status),
    index("trade_offers_from_idx").on(t.fromPlayerId, t.status),
    check(
      "trade_offers_status_check",
      sql`${t.status} in ('pending','accepted','declined','canceled','countered','expired','failed')`,
    ),
    check("trade_offers_not_self", sql`${t.fromPlayerId} <> ${t.toPlayerId}`),
  ],
);

/** One line of an offer: direction 'give' (sender -> recipient) or 'ask' (recipient -> sender). */
export const tradeOfferLines = pgTable(
  "trade_offer_lines",
  {
    offerId: uuid("offer_id").notNull().references(() => tradeOffers.id),
    lineNo: integer("line_no").notNull(),
    direction: text("direction").notNull(),
    kind: text("kind").notNull(),
    itemTypeId: integer("item_type_id").references(() => itemTypes.id),
    itemId: uuid("item_id").references(() => items.id),
    quantity: amount("quantity").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.offerId, t.lineNo] }),
    check("trade_offer_lines_direction", sql`${t.direction} in ('give','ask')`),
    check("trade_offer_lines_kind", sql`${t.kind} in ('currency','stack','unique')`),
    check("trade_offer_lines_quantity", sql`${t.quantity} > 0`),
  ],
);

/** A player who does not want offers from another. */
export const playerBlocks = pgTable(
  "player_blocks",
  {
    playerId: uuid("player_id").notNull().references(() => players.id),
    blockedId: uuid("blocked_id").notNull().references(() => players.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.playerId, t.blockedId] }), check("player_blocks_not_self", sql`${t.playerId} <> ${t.blockedId}`)],
);
