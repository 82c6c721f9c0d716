CREATE TABLE "game_server_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"server_id" uuid NOT NULL,
	"secret_enc" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "game_servers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"scopes" text[] NOT NULL,
	"mint_limits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "game_servers_name_unique" UNIQUE("name"),
	CONSTRAINT "game_servers_status_check" CHECK ("game_servers"."status" in ('active','disabled'))
);
--> statement-breakpoint
CREATE TABLE "server_mint_usage" (
	"server_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "server_mint_usage_server_id_kind_hour_pk" PRIMARY KEY("server_id","kind","hour"),
	CONSTRAINT "server_mint_usage_kind_check" CHECK ("server_mint_usage"."kind" in ('currency','items')),
	CONSTRAINT "server_mint_usage_amount_check" CHECK ("server_mint_usage"."amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "server_request_nonces" (
	"key_id" text NOT NULL,
	"nonce" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "server_request_nonces_key_id_nonce_pk" PRIMARY KEY("key_id","nonce")
);
--> statement-breakpoint
ALTER TABLE "balances" ADD COLUMN "frozen" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "item_types" ADD COLUMN "metadata_schema" jsonb;--> statement-breakpoint
ALTER TABLE "players" ADD COLUMN "frozen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "players" ADD COLUMN "frozen_by" text;--> statement-breakpoint
ALTER TABLE "players" ADD COLUMN "frozen_reason" text;--> statement-breakpoint
ALTER TABLE "game_server_keys" ADD CONSTRAINT "game_server_keys_server_id_game_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."game_servers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "server_mint_usage" ADD CONSTRAINT "server_mint_usage_server_id_game_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."game_servers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "game_server_keys_server_idx" ON "game_server_keys" USING btree ("server_id");--> statement-breakpoint
CREATE INDEX "server_request_nonces_expires_idx" ON "server_request_nonces" USING btree ("expires_at");