CREATE TABLE "leaderboard_lots" (
	"player_id" uuid NOT NULL,
	"item_type_id" integer NOT NULL,
	"lots" jsonb NOT NULL,
	CONSTRAINT "leaderboard_lots_player_id_item_type_id_pk" PRIMARY KEY("player_id","item_type_id")
);
--> statement-breakpoint
CREATE TABLE "leaderboard_scores" (
	"board" text NOT NULL,
	"period" text NOT NULL,
	"player_id" uuid NOT NULL,
	"score" bigint NOT NULL,
	CONSTRAINT "leaderboard_scores_board_period_player_id_pk" PRIMARY KEY("board","period","player_id"),
	CONSTRAINT "leaderboard_scores_board_check" CHECK ("leaderboard_scores"."board" in ('profit','volume','worth'))
);
--> statement-breakpoint
CREATE TABLE "player_dashboards" (
	"player_id" uuid PRIMARY KEY NOT NULL,
	"layout" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "player_dashboards" ADD CONSTRAINT "player_dashboards_player_id_players_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;