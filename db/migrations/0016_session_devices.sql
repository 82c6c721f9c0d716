CREATE TABLE "session_devices" (
	"session_id" text PRIMARY KEY NOT NULL,
	"player_id" uuid NOT NULL,
	"device" text NOT NULL,
	"place" text,
	"device_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "session_devices" ADD CONSTRAINT "session_devices_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_devices" ADD CONSTRAINT "session_devices_player_id_players_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "session_devices_player_key_idx" ON "session_devices" USING btree ("player_id","device_key");