CREATE TABLE "economy_positions" (
	"player_id" uuid NOT NULL,
	"asset" integer NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "economy_positions_player_id_asset_pk" PRIMARY KEY("player_id","asset")
);
--> statement-breakpoint
CREATE TABLE "economy_trades" (
	"hour" timestamp with time zone NOT NULL,
	"item_type_id" integer NOT NULL,
	"trades" integer NOT NULL,
	"quantity" bigint NOT NULL,
	"notional" bigint NOT NULL,
	"open" bigint NOT NULL,
	"high" bigint NOT NULL,
	"low" bigint NOT NULL,
	"close" bigint NOT NULL,
	CONSTRAINT "economy_trades_hour_item_type_id_pk" PRIMARY KEY("hour","item_type_id")
);
--> statement-breakpoint
CREATE INDEX "economy_trades_item_idx" ON "economy_trades" USING btree ("item_type_id","hour");