CREATE TABLE "feature_flags" (
	"key" text PRIMARY KEY NOT NULL,
	"description" text NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"rollout_percent" integer DEFAULT 0 NOT NULL,
	"players" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"roles" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feature_flags_key_check" CHECK ("feature_flags"."key" ~ '^[a-z][a-z0-9-]{1,62}$'),
	CONSTRAINT "feature_flags_rollout_check" CHECK ("feature_flags"."rollout_percent" between 0 and 100)
);
--> statement-breakpoint
INSERT INTO "feature_flags" ("key", "description", "enabled", "rollout_percent", "updated_by") VALUES ('traders-dashboard', 'My dashboard (/dashboard): the trader''s own panels, and the link to it on the home page', true, 100, 'migration:0035');
