CREATE TABLE "event_search" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"stream" text NOT NULL,
	"refs" uuid[] NOT NULL,
	"words" "tsvector" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "event_search" ADD CONSTRAINT "event_search_event_id_events_event_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("event_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_search_time_idx" ON "event_search" USING btree ("created_at" DESC NULLS LAST,"event_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "event_search_type_time_idx" ON "event_search" USING btree ("type","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "event_search_actor_time_idx" ON "event_search" USING btree ("actor","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "event_search_refs_idx" ON "event_search" USING gin ("refs");--> statement-breakpoint
CREATE INDEX "event_search_words_idx" ON "event_search" USING gin ("words");