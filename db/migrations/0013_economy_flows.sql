CREATE TABLE "consumer_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"cursor" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "economy_flows" (
	"day" text NOT NULL,
	"asset" integer NOT NULL,
	"source" text NOT NULL,
	"minted" bigint DEFAULT 0 NOT NULL,
	"burned" bigint DEFAULT 0 NOT NULL,
	"sunk" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "economy_flows_day_asset_source_pk" PRIMARY KEY("day","asset","source")
);
