CREATE TABLE "balances" (
	"player_id" uuid PRIMARY KEY NOT NULL,
	"available" bigint DEFAULT 0 NOT NULL,
	"reserved" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "balances_nonnegative" CHECK ("balances"."available" >= 0 and "balances"."reserved" >= 0)
);
--> statement-breakpoint
CREATE TABLE "candles" (
	"market_slug" text NOT NULL,
	"interval" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"open" bigint NOT NULL,
	"high" bigint NOT NULL,
	"low" bigint NOT NULL,
	"close" bigint NOT NULL,
	"volume" bigint NOT NULL,
	"notional" bigint NOT NULL,
	"trades" integer NOT NULL,
	CONSTRAINT "candles_market_slug_interval_bucket_pk" PRIMARY KEY("market_slug","interval","bucket"),
	CONSTRAINT "candles_interval_check" CHECK ("candles"."interval" in ('1m','5m','1h','1d'))
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"stream" text NOT NULL,
	"version" integer NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"actor" text NOT NULL,
	"causation_id" uuid,
	"correlation_id" uuid NOT NULL,
	"event_id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_event_id_unique" UNIQUE("event_id"),
	CONSTRAINT "events_stream_version_key" UNIQUE("stream","version"),
	CONSTRAINT "events_version_positive" CHECK ("events"."version" > 0)
);
--> statement-breakpoint
CREATE TABLE "fills" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"market_slug" text NOT NULL,
	"seq" bigint NOT NULL,
	"maker_order_id" uuid NOT NULL,
	"taker_order_id" uuid NOT NULL,
	"maker_player_id" uuid NOT NULL,
	"taker_player_id" uuid NOT NULL,
	"taker_side" text NOT NULL,
	"price" bigint NOT NULL,
	"quantity" bigint NOT NULL,
	"maker_fee" bigint NOT NULL,
	"taker_fee" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fills_market_seq_key" UNIQUE("market_slug","seq"),
	CONSTRAINT "fills_amounts_check" CHECK ("fills"."price" > 0 and "fills"."quantity" > 0 and "fills"."maker_fee" >= 0 and "fills"."taker_fee" >= 0)
);
--> statement-breakpoint
CREATE TABLE "holdings" (
	"player_id" uuid NOT NULL,
	"item_type_id" integer NOT NULL,
	"available" bigint DEFAULT 0 NOT NULL,
	"reserved" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "holdings_player_id_item_type_id_pk" PRIMARY KEY("player_id","item_type_id"),
	CONSTRAINT "holdings_nonnegative" CHECK ("holdings"."available" >= 0 and "holdings"."reserved" >= 0)
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "item_types" (
	"id" serial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"category" text NOT NULL,
	"icon" text NOT NULL,
	"stackable" boolean NOT NULL,
	"tick_size" bigint DEFAULT 1 NOT NULL,
	"lot_size" bigint DEFAULT 1 NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || description || ' ' || category)) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "item_types_slug_unique" UNIQUE("slug"),
	CONSTRAINT "item_types_sizes_check" CHECK ("item_types"."tick_size" > 0 and "item_types"."lot_size" > 0)
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"item_type_id" integer NOT NULL,
	"owner_id" uuid,
	"state" text DEFAULT 'held' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "items_state_check" CHECK ("items"."state" in ('held','escrowed','burned')),
	CONSTRAINT "items_owner_check" CHECK (("items"."state" = 'burned') = ("items"."owner_id" is null))
);
--> statement-breakpoint
CREATE TABLE "markets" (
	"slug" text PRIMARY KEY NOT NULL,
	"item_type_id" integer NOT NULL,
	"maker_fee_bps" integer DEFAULT 10 NOT NULL,
	"taker_fee_bps" integer DEFAULT 25 NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "markets_item_type_id_unique" UNIQUE("item_type_id"),
	CONSTRAINT "markets_status_check" CHECK ("markets"."status" in ('open','halted','closed')),
	CONSTRAINT "markets_fees_check" CHECK ("markets"."maker_fee_bps" between 0 and 1000 and "markets"."taker_fee_bps" between 0 and 1000)
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"market_slug" text NOT NULL,
	"player_id" uuid NOT NULL,
	"client_order_id" text NOT NULL,
	"side" text NOT NULL,
	"kind" text NOT NULL,
	"time_in_force" text NOT NULL,
	"price" bigint,
	"quantity" bigint NOT NULL,
	"remaining" bigint NOT NULL,
	"filled" bigint DEFAULT 0 NOT NULL,
	"reserved" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"seq" bigint NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_client_order_key" UNIQUE("player_id","client_order_id"),
	CONSTRAINT "orders_side_check" CHECK ("orders"."side" in ('buy','sell')),
	CONSTRAINT "orders_amounts_check" CHECK ("orders"."quantity" > 0 and "orders"."remaining" >= 0 and "orders"."filled" >= 0 and "orders"."reserved" >= 0)
);
--> statement-breakpoint
CREATE TABLE "players" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"roles" text[] DEFAULT '{player}'::text[] NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "players_status_check" CHECK ("players"."status" in ('active','suspended','banned'))
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"player_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"label" text,
	"csrf_token" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "sessions_kind_check" CHECK ("sessions"."kind" in ('web','api'))
);
--> statement-breakpoint
CREATE TABLE "streams" (
	"stream" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "supply" (
	"asset" integer PRIMARY KEY NOT NULL,
	"minted" bigint DEFAULT 0 NOT NULL,
	"burned" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "supply_check" CHECK ("supply"."minted" >= "supply"."burned" and "supply"."burned" >= 0)
);
--> statement-breakpoint
CREATE TABLE "trade_offer_lines" (
	"offer_id" uuid NOT NULL,
	"line_no" integer NOT NULL,
	"direction" text NOT NULL,
	"kind" text NOT NULL,
	"item_type_id" integer,
	"item_id" uuid,
	"quantity" bigint NOT NULL,
	CONSTRAINT "trade_offer_lines_offer_id_line_no_pk" PRIMARY KEY("offer_id","line_no"),
	CONSTRAINT "trade_offer_lines_direction" CHECK ("trade_offer_lines"."direction" in ('give','ask')),
	CONSTRAINT "trade_offer_lines_kind" CHECK ("trade_offer_lines"."kind" in ('currency','stack','unique')),
	CONSTRAINT "trade_offer_lines_quantity" CHECK ("trade_offer_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "trade_offers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"from_player_id" uuid NOT NULL,
	"to_player_id" uuid NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"counter_of_id" uuid,
	"failure_reason" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "trade_offers_status_check" CHECK ("trade_offers"."status" in ('pending','accepted','declined','canceled','countered','expired','failed')),
	CONSTRAINT "trade_offers_not_self" CHECK ("trade_offers"."from_player_id" <> "trade_offers"."to_player_id")
);
--> statement-breakpoint
ALTER TABLE "balances" ADD CONSTRAINT "balances_player_id_players_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candles" ADD CONSTRAINT "candles_market_slug_markets_slug_fk" FOREIGN KEY ("market_slug") REFERENCES "public"."markets"("slug") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fills" ADD CONSTRAINT "fills_market_slug_markets_slug_fk" FOREIGN KEY ("market_slug") REFERENCES "public"."markets"("slug") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "holdings" ADD CONSTRAINT "holdings_player_id_players_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "holdings" ADD CONSTRAINT "holdings_item_type_id_item_types_id_fk" FOREIGN KEY ("item_type_id") REFERENCES "public"."item_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_item_type_id_item_types_id_fk" FOREIGN KEY ("item_type_id") REFERENCES "public"."item_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_owner_id_players_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "markets" ADD CONSTRAINT "markets_item_type_id_item_types_id_fk" FOREIGN KEY ("item_type_id") REFERENCES "public"."item_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_market_slug_markets_slug_fk" FOREIGN KEY ("market_slug") REFERENCES "public"."markets"("slug") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_player_id_players_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_player_id_players_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trade_offer_lines" ADD CONSTRAINT "trade_offer_lines_offer_id_trade_offers_id_fk" FOREIGN KEY ("offer_id") REFERENCES "public"."trade_offers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trade_offer_lines" ADD CONSTRAINT "trade_offer_lines_item_type_id_item_types_id_fk" FOREIGN KEY ("item_type_id") REFERENCES "public"."item_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trade_offer_lines" ADD CONSTRAINT "trade_offer_lines_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trade_offers" ADD CONSTRAINT "trade_offers_from_player_id_players_id_fk" FOREIGN KEY ("from_player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trade_offers" ADD CONSTRAINT "trade_offers_to_player_id_players_id_fk" FOREIGN KEY ("to_player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_type_idx" ON "events" USING btree ("type");--> statement-breakpoint
CREATE INDEX "fills_maker_idx" ON "fills" USING btree ("maker_player_id","created_at");--> statement-breakpoint
CREATE INDEX "fills_taker_idx" ON "fills" USING btree ("taker_player_id","created_at");--> statement-breakpoint
CREATE INDEX "item_types_search_idx" ON "item_types" USING gin ("search");--> statement-breakpoint
CREATE INDEX "items_owner_idx" ON "items" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "orders_market_open_idx" ON "orders" USING btree ("market_slug","status");--> statement-breakpoint
CREATE INDEX "orders_player_idx" ON "orders" USING btree ("player_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "players_username_lower_key" ON "players" USING btree (lower("username"));--> statement-breakpoint
CREATE INDEX "sessions_player_idx" ON "sessions" USING btree ("player_id");--> statement-breakpoint
CREATE INDEX "trade_offers_to_idx" ON "trade_offers" USING btree ("to_player_id","status");--> statement-breakpoint
CREATE INDEX "trade_offers_from_idx" ON "trade_offers" USING btree ("from_player_id","status");