ALTER TABLE "player_dashboards" ADD COLUMN "market" text;--> statement-breakpoint
ALTER TABLE "players" ADD COLUMN "leaderboard_hidden" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "players_leaderboard_hidden_idx" ON "players" USING btree ("id") WHERE "players"."leaderboard_hidden";