ALTER TABLE "orders" ADD COLUMN "stp" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "code" integer DEFAULT 0 NOT NULL;