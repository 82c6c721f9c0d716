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
/** A 64-bit transaction id (Postgres xid8), read as its decimal text. */
const xid8 = customType<{ data: string }>({ dataType: () => "xid8" });
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
    /**
     * Set while a game server (or an operator) holds the account frozen: status is then 'suspended'
     * (no trading, no API, no web session), funds and items stay the player's. See docs/game-servers.md.
     */
    frozenAt: timestamp("frozen_at", { withTimezone: true }),
    frozenBy: text("frozen_by"),
    frozenReason: text("frozen_reason"),
    /**
     * "Show me on the leaderboards" turned off (settings; ADR 039): others never see this player on a
     * board and their ranks skip it; the player still sees their own place. Applied when a board is
     * read; the scores themselves (leaderboard_scores, the Redis copy) keep everyone.
     */
    leaderboardHidden: boolean("leaderboard_hidden").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("players_username_lower_key").on(sql`lower(${t.username})`),
    index("players_leaderboard_hidden_idx").on(t.id).where(sql`${t.leaderboardHidden}`),
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
    // The last time a second-factor code was entered in this session (step-up, ADR 035).
    steppedUpAt: timestamp("stepped_up_at", { withTimezone: true }),
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
    /** JSON Schema (2020-12) a unique item's metadata must satisfy when minted; null = any object. */
    metadataSchema: jsonb("metadata_schema"),
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
    /**
     * The player is frozen (players.frozen_at): kept on the wallet row too, because a market batch
     * reads it with the wallet's row lock (FOR UPDATE returns the latest committed row), so a freeze
     * costs the batch no extra round trip and cannot be missed by a batch already waiting on the lock.
     */
    frozen: boolean("frozen").notNull().default(false),
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

/** Append-only (trigger in migration 0001). Readers after the fact use (stream, version) or the feed's (tx, id) watermark. */
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
    /** The writing transaction's id: the feed's cursor is (tx, id) below the oldest running transaction (db/feed). */
    tx: xid8("tx").notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [
    unique("events_stream_version_key").on(t.stream, t.version),
    index("events_tx_id_idx").on(t.tx, t.id),
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

/**
 * The alert outbox and the notification center in one table (issue 16, ADR 013). A row is written
 * in the SAME transaction as the fact that owes it (a market batch, an offer's change), so a rolled
 * back fact alerts nobody. `id` is the idempotent id every receiver deduplicates on (the service
 * worker's notification tag, the center's key). Push delivery state lives on the row: the sender
 * claims rows with push_state = 'due' and push_next_at <= now() (FOR UPDATE SKIP LOCKED).
 */
export const alerts = pgTable(
  "alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    playerId: uuid("player_id").notNull().references(() => players.id),
    /** fill, order_ended, offer_received, offer_accepted, offer_declined, offer_countered, offer_withdrawn, offer_expiring, price */
    kind: text("kind").notNull(),
    /** Short text in the game's words: "Sold 20 Iron Ore at 1.27 gold". */
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    /** Where a click goes: "/markets/iron-ore", "/offers/<id>". */
    url: text("url").notNull(),
    icon: text("icon"),
    /** Machine-readable details (market, order id, batch, offer id, price...). No secrets. */
    data: jsonb("data").notNull().default(sql`'{}'::jsonb`),
    /** The cause, unique per kind: e.g. "fill:<orderId>:<batchId>", so one cause alerts once. */
    dedupeKey: text("dedupe_key").notNull(),
    createdAt: createdAt(),
    readAt: timestamp("read_at", { withTimezone: true }),
    /** none (in-app only or off), due, sent, dead (no subscription took it). */
    pushState: text("push_state").notNull().default("none"),
    pushAttempts: integer("push_attempts").notNull().default(0),
    pushNextAt: timestamp("push_next_at", { withTimezone: true }),
    pushedAt: timestamp("pushed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("alerts_dedupe_key").on(t.playerId, t.dedupeKey),
    index("alerts_player_created_idx").on(t.playerId, t.createdAt),
    index("alerts_push_due_idx").on(t.pushNextAt).where(sql`${t.pushState} = 'due'`),
    // The bell's unread count on every page (migration 0007).
    index("alerts_unread_idx").on(t.playerId).where(sql`${t.readAt} is null`),
    check("alerts_push_state_check", sql`${t.pushState} in ('none','due','sent','dead')`),
  ],
);

/** A browser's Web Push subscription (one per device). The push service's 404/410 deletes it. */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    playerId: uuid("player_id").notNull().references(() => players.id),
    endpoint: text("endpoint").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("push_subscriptions_endpoint_key").on(t.endpoint), index("push_subscriptions_player_idx").on(t.playerId)],
);

/**
 * A game server's webhook: the feed's events after `cursor`, POSTed to `url`, signed. No secret is
 * stored: the signing secret is derived from the deployment's key and the webhook's id (db/feed).
 * Delivery is at least once (the cursor moves only after a 2xx); receivers dedupe by event id.
 */
export const webhooks = pgTable(
  "webhooks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Who it delivers to: "server:<game server id>". */
    owner: text("owner").notNull(),
    url: text("url").notNull(),
    /** Only these event types (all when empty). */
    types: text("types").array().notNull().default(sql`'{}'::text[]`),
    cursor: text("cursor").notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** Due again at (also a claim's lease: a deliverer that died lets it expire). */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    lastDeliveredAt: timestamp("last_delivered_at", { withTimezone: true }),
    delivered: bigint("delivered", { mode: "number" }).notNull().default(0),
    createdAt: createdAt(),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
  },
  (t) => [index("webhooks_due_idx").on(t.nextAttemptAt).where(sql`${t.disabledAt} is null`), index("webhooks_owner_idx").on(t.owner)],
);

/**
 * "Tell me when <item> trades at or above / at or below <price>" (issue 16, ADR 013). The market's
 * room keeps its market's active alerts in an in-memory index (party/market/price-alerts.ts) and
 * fires them in the batch's own transaction; this row is the truth the batch's statement checks
 * (a deleted or already triggered alert never fires). One-shot alerts become "triggered"; repeating
 * ones stay active and fire again once cooldown_seconds have passed since last_fired_at.
 */
export const priceAlerts = pgTable(
  "price_alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    playerId: uuid("player_id").notNull().references(() => players.id),
    marketSlug: text("market_slug").notNull().references(() => markets.slug),
    /** above: fires on a trade at or above price; below: at or below. */
    direction: text("direction").notNull(),
    /** Copper per item, on the market's tick. */
    price: amount("price").notNull(),
    /** null: one-shot; otherwise the alert repeats, at most once per this many seconds. */
    cooldownSeconds: integer("cooldown_seconds"),
    /** active, triggered (a one-shot that fired). Deleting an alert deletes its row. */
    status: text("status").notNull().default("active"),
    createdAt: createdAt(),
    lastFiredAt: timestamp("last_fired_at", { withTimezone: true }),
  },
  (t) => [
    index("price_alerts_player_idx").on(t.playerId, t.createdAt),
    index("price_alerts_market_active_idx").on(t.marketSlug).where(sql`${t.status} = 'active'`),
    check("price_alerts_direction_check", sql`${t.direction} in ('above','below')`),
    check("price_alerts_status_check", sql`${t.status} in ('active','triggered')`),
    check("price_alerts_price_check", sql`${t.price} > 0`),
    check("price_alerts_cooldown_check", sql`${t.cooldownSeconds} is null or ${t.cooldownSeconds} between 60 and 604800`),
  ],
);

/**
 * A player's alert settings: per kind "push", "inapp" (the notification center only) or "off" (no
 * row at all); a kind missing from `kinds` is "push". Quiet hours (minutes after local midnight in
 * time_zone, both set or both null): a push owed inside them is held until they end (ADR 013).
 */
export const alertPreferences = pgTable(
  "alert_preferences",
  {
    playerId: uuid("player_id").primaryKey().references(() => players.id),
    kinds: jsonb("kinds").notNull().default(sql`'{}'::jsonb`),
    quietStart: integer("quiet_start"),
    quietEnd: integer("quiet_end"),
    timeZone: text("time_zone").notNull().default("UTC"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("alert_preferences_quiet_check", sql`(${t.quietStart} is null) = (${t.quietEnd} is null)
      and (${t.quietStart} is null or (${t.quietStart} between 0 and 1439 and ${t.quietEnd} between 0 and 1439))`),
  ],
);

/** Where each consumer of the event feed is (db/consumers): moved in the same transaction as its effects. */
export const consumerCursors = pgTable("consumer_cursors", {
  name: text("name").primaryKey(),
  cursor: text("cursor").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Faucets and sinks per UTC day, asset (0 = currency) and source (db/economy/flows.ts names it:
 * "server:<name>", "kit:<reason>", "fees:<market>"...). A projection of the events' supply changes,
 * rebuilt by `npm run economy:rebuild`.
 */
export const economyFlows = pgTable(
  "economy_flows",
  {
    /** YYYY-MM-DD (UTC). */
    day: text("day").notNull(),
    asset: integer("asset").notNull(),
    source: text("source").notNull(),
    minted: amount("minted").notNull().default(0),
    burned: amount("burned").notNull().default(0),
    sunk: amount("sunk").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.asset, t.source] })],
);

/**
 * Game servers (issue 17, ADR 015): the faucets and sinks of the economy. Created by an operator;
 * `scopes` say what the server may do, `mint_limits` how much it may mint per clock hour
 * ({"currency": copper, "items": item count}; a missing key means none may be minted).
 */
export const gameServers = pgTable(
  "game_servers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull().unique(),
    scopes: text("scopes").array().notNull(),
    mintLimits: jsonb("mint_limits").notNull().default(sql`'{}'::jsonb`),
    status: text("status").notNull().default("active"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [check("game_servers_status_check", sql`${t.status} in ('active','disabled')`)],
);

/**
 * A game server's signing keys. The secret is shown once; it is stored encrypted (AES-GCM, key
 * derived from SERVER_KEY_SECRET or SESSION_SECRET) because HMAC verification needs it. At most two
 * live keys per server (rotation), enforced by the key functions.
 */
export const gameServerKeys = pgTable(
  "game_server_keys",
  {
    id: text("id").primaryKey(),
    serverId: uuid("server_id").notNull().references(() => gameServers.id),
    secretEnc: text("secret_enc").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("game_server_keys_server_idx").on(t.serverId)],
);

/** Nonces of signed requests seen within the signature window: a second use is a replay. */
export const serverRequestNonces = pgTable(
  "server_request_nonces",
  {
    keyId: text("key_id").notNull(),
    nonce: text("nonce").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.nonce] }), index("server_request_nonces_expires_idx").on(t.expiresAt)],
);

/** What each game server minted per clock hour: 'currency' (copper) or 'items' (count). */
export const serverMintUsage = pgTable(
  "server_mint_usage",
  {
    serverId: uuid("server_id").notNull().references(() => gameServers.id),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    kind: text("kind").notNull(),
    amount: amount("amount").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.serverId, t.kind, t.hour] }),
    check("server_mint_usage_kind_check", sql`${t.kind} in ('currency','items')`),
    check("server_mint_usage_amount_check", sql`${t.amount} >= 0`),
  ],
);

/**
 * A player's chart settings (app/utils/indicators/prefs.ts: which indicators, their periods),
 * kept on the server so they follow the player to another device (ADR 018). No row: defaults.
 */
export const chartPreferences = pgTable("chart_preferences", {
  playerId: uuid("player_id").primaryKey().references(() => players.id),
  settings: jsonb("settings").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

// ---------------------------------------------------------------------------------------------
// Issue 17 (trading limits, ADR 027): per item type (a stackable type's market trades that type),
// set by operators or a game server with the "limits" scope. No row: no limits. Read by the market
// batch's readAndLock (db/market/write.ts) and by the offers flow (db/offers/create.ts).
export const tradingLimits = pgTable(
  "trading_limits",
  {
    itemTypeId: integer("item_type_id").primaryKey().references(() => itemTypes.id),
    /** Items a player may buy in the market per rolling window (OSRS-style); null: no buy limit. */
    buyLimit: amount("buy_limit"),
    buyWindowSeconds: integer("buy_window_seconds").notNull().default(14_400),
    /** Account age before a player may sell this type in the market or put it in an offer they send. */
    minAccountAgeSeconds: integer("min_account_age_seconds"),
    /** Largest order value (copper) an account younger than newAccountAgeSeconds may place. */
    newAccountMaxOrderValue: amount("new_account_max_order_value"),
    newAccountAgeSeconds: integer("new_account_age_seconds"),
    updatedBy: text("updated_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("trading_limits_buy_check", sql`${t.buyLimit} is null or ${t.buyLimit} > 0`),
    check("trading_limits_window_check", sql`${t.buyWindowSeconds} between 60 and 2592000`),
    check("trading_limits_age_check", sql`${t.minAccountAgeSeconds} is null or ${t.minAccountAgeSeconds} between 1 and 31536000`),
    check(
      "trading_limits_new_account_check",
      sql`(${t.newAccountMaxOrderValue} is null) = (${t.newAccountAgeSeconds} is null) and (${t.newAccountMaxOrderValue} is null or ${t.newAccountMaxOrderValue} > 0) and (${t.newAccountAgeSeconds} is null or ${t.newAccountAgeSeconds} between 1 and 31536000)`,
    ),
  ],
);

// ---- issue 19: economy figures (ADR 023), projections of the event feed kept by db/economy consumers ----

/** Market trades per clock hour and item type: volume, value and prices (from the fills each market event names). */
export const economyTrades = pgTable(
  "economy_trades",
  {
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    itemTypeId: integer("item_type_id").notNull(),
    trades: integer("trades").notNull(),
    quantity: amount("quantity").notNull(),
    notional: amount("notional").notNull(),
    open: amount("open").notNull(),
    high: amount("high").notNull(),
    low: amount("low").notNull(),
    close: amount("close").notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.itemTypeId] }), index("economy_trades_item_idx").on(t.itemTypeId, t.hour)],
);

/** What each player holds of each fungible asset (available + reserved), summed from the events' postings. */
export const economyPositions = pgTable(
  "economy_positions",
  {
    playerId: uuid("player_id").notNull(),
    asset: integer("asset").notNull(),
    amount: amount("amount").notNull(),
  },
  (t) => [primaryKey({ columns: [t.playerId, t.asset] })],
);

// Issue 20 (account security): where each session was opened, for "my sessions" and new-device
// sign-in alerts. One row per session; device_key is the SHA-256 of the browser's
// long-lived device cookie (never the cookie itself).
export const sessionDevices = pgTable(
  "session_devices",
  {
    sessionId: text("session_id").primaryKey().references(() => sessions.id),
    playerId: uuid("player_id").notNull().references(() => players.id),
    /** "Chrome on Android", from the User-Agent; "API client" for tokens. */
    device: text("device").notNull(),
    /** "Berlin, DE" from Cloudflare's request.cf, or null (local). */
    place: text("place"),
    deviceKey: text("device_key"),
    createdAt: createdAt(),
  },
  (t) => [
    index("session_devices_player_key_idx").on(t.playerId, t.deviceKey),
    // Operators' linked accounts (db/operators/timeline.ts): who else signed in from this browser.
    index("session_devices_key_idx").on(t.deviceKey),
  ],
);

// Issue 18 (operators' audit search, ADR 020): one row per event, written by the audit-index
// consumer of the event feed (never on a batch's path). `refs` holds every UUID the event's payload
// names (players, orders, offers, items, game servers), `words` every string and number in it
// with its type, actor and stream, for full-text search.
export const eventSearch = pgTable(
  "event_search",
  {
    eventId: uuid("event_id").primaryKey().references(() => events.eventId),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    type: text("type").notNull(),
    actor: text("actor").notNull(),
    stream: text("stream").notNull(),
    refs: uuid("refs").array().notNull(),
    words: tsvector("words").notNull(),
  },
  (t) => [
    index("event_search_time_idx").on(t.createdAt.desc(), t.eventId.desc()),
    index("event_search_type_time_idx").on(t.type, t.createdAt.desc()),
    index("event_search_actor_time_idx").on(t.actor, t.createdAt.desc()),
    // The market filter: a market's own stream ("market:<slug>"), newest first (bench:audit).
    index("event_search_stream_time_idx").on(t.stream, t.createdAt.desc(), t.eventId.desc()),
    index("event_search_refs_idx").using("gin", t.refs),
    index("event_search_words_idx").using("gin", t.words),
  ],
);

/**
 * Leaderboards (db/leaderboards, ADR 033): each player's score on each board (profit, volume, worth)
 * for each period ("all", "d:<UTC day>", "w:<Monday of the UTC week>"), kept by a consumer of the
 * event feed. Postgres is the source; Redis sorted sets are a copy rebuilt from here.
 */
export const leaderboardScores = pgTable(
  "leaderboard_scores",
  {
    board: text("board").notNull(),
    period: text("period").notNull(),
    playerId: uuid("player_id").notNull(),
    score: amount("score").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.board, t.period, t.playerId] }),
    check("leaderboard_scores_board_check", sql`${t.board} in ('profit','volume','worth')`),
  ],
);

/**
 * The FIFO cost basis of each player's market purchases of an item: open lots [[quantity, cost], ...]
 * oldest first (cost in copper, fees included). Realised profit on a sale consumes them.
 */
export const leaderboardLots = pgTable(
  "leaderboard_lots",
  {
    playerId: uuid("player_id").notNull(),
    itemTypeId: integer("item_type_id").notNull(),
    lots: jsonb("lots").$type<Array<[number, number]>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.playerId, t.itemTypeId] })],
);

/** A trader's own dashboard: the panels and where the player put them (app/utils/dashboard). */
export const playerDashboards = pgTable("player_dashboards", {
  playerId: uuid("player_id").primaryKey().references(() => players.id),
  layout: jsonb("layout").notNull(),
  /** The market the chart, book and tape panels show (null: the first watched market; ADR 039). */
  market: text("market"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

// ---- issue 18: rollbacks by compensating events and the debts they leave (ADR 024), fraud flags ----

/**
 * A rollback of one fill, offer or mint: its plan (what the compensating events move, what stays
 * owed) and its state. One applied rollback per target (the partial unique index). Rows are never
 * edited by hand; the ledger events the rollback appends are the record.
 */
export const rollbacks = pgTable(
  "rollbacks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    targetKind: text("target_kind").notNull(),
    targetId: text("target_id").notNull(),
    state: text("state").notNull(),
    reason: text("reason").notNull(),
    value: amount("value").notNull(),
    plan: jsonb("plan").notNull(),
    requestedBy: text("requested_by").notNull(),
    approvedBy: text("approved_by"),
    createdAt: createdAt(),
    appliedAt: timestamp("applied_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("rollbacks_target_key").on(t.targetKind, t.targetId).where(sql`${t.state} <> 'canceled'`),
    check("rollbacks_kind_check", sql`${t.targetKind} in ('fill','offer','mint')`),
    check("rollbacks_state_check", sql`${t.state} in ('proposed','pending','applied','canceled')`),
    check("rollbacks_value_check", sql`${t.value} >= 0`),
  ],
);

/** What a rollback could not take back: owed by a player, per asset; blocks their orders and offers until settled. */
export const debts = pgTable(
  "debts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    playerId: uuid("player_id").notNull().references(() => players.id),
    /** 0 the currency, else an item type id (a unique item type: a count of such items). */
    asset: integer("asset").notNull(),
    /** Who the owed amount goes to when it is settled. */
    creditorId: uuid("creditor_id").references(() => players.id),
    amount: amount("amount").notNull(),
    settled: amount("settled").notNull().default(0),
    rollbackId: uuid("rollback_id").notNull().references(() => rollbacks.id),
    createdAt: createdAt(),
    settledAt: timestamp("settled_at", { withTimezone: true }),
  },
  (t) => [
    index("debts_open_idx").on(t.playerId).where(sql`${t.settledAt} is null`),
    check("debts_amount_check", sql`${t.amount} > 0 and ${t.settled} >= 0 and ${t.settled} <= ${t.amount}`),
  ],
);

/** Flags raised by the fraud rules (db/fraud) for review: never blocks. One per rule and fill (the consumer may run twice). */
export const fraudFlags = pgTable(
  "fraud_flags",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    rule: text("rule").notNull(),
    score: integer("score").notNull(),
    players: uuid("players").array().notNull(),
    explanation: text("explanation").notNull(),
    /** What raised it: "fill:<id>". */
    subject: text("subject").notNull(),
    status: text("status").notNull().default("open"),
    claimedBy: text("claimed_by"),
    verdict: text("verdict"),
    resolvedBy: text("resolved_by"),
    note: text("note"),
    createdAt: createdAt(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("fraud_flags_rule_subject_key").on(t.rule, t.subject),
    index("fraud_flags_open_idx").on(t.createdAt).where(sql`${t.status} <> 'resolved'`),
    check("fraud_flags_status_check", sql`${t.status} in ('open','claimed','escalated','resolved')`),
    check("fraud_flags_verdict_check", sql`${t.verdict} is null or ${t.verdict} in ('dismiss','freeze','rollback')`),
    check("fraud_flags_score_check", sql`${t.score} between 1 and 100`),
  ],
);

// Issue 20 (account security): TOTP second factor. One row per player; the secret is sealed
// (AES-GCM under SESSION_SECRET, edge/server-api/secret-box.ts, the player id as associated data).
// confirmed_at null: enrolment started, not yet confirmed with a code (the factor is not asked).
// last_step: the last 30-second step whose code was accepted, so a code is never accepted twice.
export const secondFactors = pgTable("second_factors", {
  playerId: uuid("player_id").primaryKey().references(() => players.id),
  secretEnc: text("secret_enc").notNull(),
  confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
  lastStep: bigint("last_step", { mode: "number" }).notNull().default(0),
  createdAt: createdAt(),
});

// Ten single-use recovery codes per confirmed factor, stored as SHA-256 (never the codes).
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    playerId: uuid("player_id").notNull().references(() => players.id),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("recovery_codes_player_idx").on(t.playerId)],
);

// Issue 20 (account security): social sign-in (ADR 037). One row per identity at an OpenID
// provider linked to a player: (issuer, subject) is the identity, never the e-mail. The e-mail the
// provider gave is kept to refuse a second account with it (never a silent merge), not to sign in.
export const playerIdentities = pgTable(
  "player_identities",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    playerId: uuid("player_id").notNull().references(() => players.id),
    /** The configured provider's id (OIDC_PROVIDERS), for the button and the page. */
    provider: text("provider").notNull(),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    email: text("email"),
    emailVerified: boolean("email_verified").notNull().default(false),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("player_identities_issuer_subject_key").on(t.issuer, t.subject),
    index("player_identities_player_idx").on(t.playerId),
    index("player_identities_email_idx").on(sql`lower(${t.email})`),
  ],
);

// Passkeys (WebAuthn, ADR 036): a player's credentials, for password-less sign-in and as a second
// factor. The public key (COSE, base64url) is no secret; `counter` only moves forward.
export const passkeys = pgTable(
  "passkeys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    playerId: uuid("player_id").notNull().references(() => players.id),
    credentialId: text("credential_id").notNull().unique(),
    publicKey: text("public_key").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull().default(0),
    transports: text("transports").array().notNull().default(sql`'{}'::text[]`),
    name: text("name").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [index("passkeys_player_idx").on(t.playerId)],
);

// WebAuthn challenges: issued by the server, short-lived, used once (DELETE ... RETURNING).
export const passkeyChallenges = pgTable(
  "passkey_challenges",
  {
    challenge: text("challenge").primaryKey(),
    purpose: text("purpose").notNull(),
    playerId: uuid("player_id").references(() => players.id),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("passkey_challenges_expires_idx").on(t.expiresAt)],
);

// ---- issue 21: feature flags (ADR 026) ----

/**
 * One row per feature flag the code asks about. Admins change a row from the console or
 * /api/v1/operator/flags (policy action feature-flag:change); each change is a
 * `feature_flag_changed` event on the stream `feature-flag:<key>` in the same transaction. The edge
 * reads the rows at most every FLAG_CACHE_TTL_MS per isolate (edge/flags).
 */
export const featureFlags = pgTable(
  "feature_flags",
  {
    key: text("key").primaryKey(),
    /** What the flag turns on, for the console. */
    description: text("description").notNull(),
    enabled: boolean("enabled").notNull().default(false),
    /** 0..100: the share of signed-in players (by a stable hash of flag and player id) who get it while enabled. */
    rolloutPercent: integer("rollout_percent").notNull().default(0),
    /** player id -> true/false: wins over everything. */
    players: jsonb("players").notNull().default(sql`'{}'::jsonb`),
    /** role -> true/false: wins over the rollout. */
    roles: jsonb("roles").notNull().default(sql`'{}'::jsonb`),
    updatedBy: text("updated_by"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("feature_flags_key_check", sql`${t.key} ~ '^[a-z][a-z0-9-]{1,62}$'`),
    check("feature_flags_rollout_check", sql`${t.rolloutPercent} between 0 and 100`),
  ],
);
