CREATE TABLE "alert_preferences" (
	"player_id" uuid PRIMARY KEY NOT NULL,
	"kinds" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"quiet_start" integer,
	"quiet_end" integer,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_preferences_quiet_check" CHECK (("alert_preferences"."quiet_start" is null) = ("alert_preferences"."quiet_end" is null)
      and ("alert_preferences"."quiet_start" is null or ("alert_preferences"."quiet_start" between 0 and 1439 and "alert_preferences"."quiet_end" between 0 and 1439)))
);
--> statement-breakpoint
CREATE TABLE "price_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"player_id" uuid NOT NULL,
	"market_slug" text NOT NULL,
	"direction" text NOT NULL,
	"price" bigint NOT NULL,
	"cooldown_seconds" integer,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_fired_at" timestamp with time zone,
	CONSTRAINT "price_alerts_direction_check" CHECK ("price_alerts"."direction" in ('above','below')),
	CONSTRAINT "price_alerts_status_check" CHECK ("price_alerts"."status" in ('active','triggered')),
	CONSTRAINT "price_alerts_price_check" CHECK ("price_alerts"."price" > 0),
	CONSTRAINT "price_alerts_cooldown_check" CHECK ("price_alerts"."cooldown_seconds" is null or "price_alerts"."cooldown_seconds" between 60 and 604800)
);
--> statement-breakpoint
ALTER TABLE "alert_preferences" ADD CONSTRAINT "alert_preferences_player_id_players_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_alerts" ADD CONSTRAINT "price_alerts_player_id_players_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_alerts" ADD CONSTRAINT "price_alerts_market_slug_markets_slug_fk" FOREIGN KEY ("market_slug") REFERENCES "public"."markets"("slug") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "price_alerts_player_idx" ON "price_alerts" USING btree ("player_id","created_at");--> statement-breakpoint
CREATE INDEX "price_alerts_market_active_idx" ON "price_alerts" USING btree ("market_slug") WHERE "price_alerts"."status" = 'active';--> statement-breakpoint
CREATE INDEX "alerts_unread_idx" ON "alerts" USING btree ("player_id") WHERE "alerts"."read_at" is null;