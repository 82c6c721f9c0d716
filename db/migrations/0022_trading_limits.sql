CREATE TABLE "trading_limits" (
	"item_type_id" integer PRIMARY KEY NOT NULL,
	"buy_limit" bigint,
	"buy_window_seconds" integer DEFAULT 14400 NOT NULL,
	"min_account_age_seconds" integer,
	"new_account_max_order_value" bigint,
	"new_account_age_seconds" integer,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trading_limits_buy_check" CHECK ("trading_limits"."buy_limit" is null or "trading_limits"."buy_limit" > 0),
	CONSTRAINT "trading_limits_window_check" CHECK ("trading_limits"."buy_window_seconds" between 60 and 2592000),
	CONSTRAINT "trading_limits_age_check" CHECK ("trading_limits"."min_account_age_seconds" is null or "trading_limits"."min_account_age_seconds" between 1 and 31536000),
	CONSTRAINT "trading_limits_new_account_check" CHECK (("trading_limits"."new_account_max_order_value" is null) = ("trading_limits"."new_account_age_seconds" is null) and ("trading_limits"."new_account_max_order_value" is null or "trading_limits"."new_account_max_order_value" > 0) and ("trading_limits"."new_account_age_seconds" is null or "trading_limits"."new_account_age_seconds" between 1 and 31536000))
);
--> statement-breakpoint
ALTER TABLE "trading_limits" ADD CONSTRAINT "trading_limits_item_type_id_item_types_id_fk" FOREIGN KEY ("item_type_id") REFERENCES "public"."item_types"("id") ON DELETE no action ON UPDATE no action;