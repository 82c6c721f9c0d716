CREATE TABLE "debts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"player_id" uuid NOT NULL,
	"asset" integer NOT NULL,
	"creditor_id" uuid,
	"amount" bigint NOT NULL,
	"settled" bigint DEFAULT 0 NOT NULL,
	"rollback_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone,
	CONSTRAINT "debts_amount_check" CHECK ("debts"."amount" > 0 and "debts"."settled" >= 0 and "debts"."settled" <= "debts"."amount")
);
--> statement-breakpoint
CREATE TABLE "fraud_flags" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rule" text NOT NULL,
	"score" integer NOT NULL,
	"players" uuid[] NOT NULL,
	"explanation" text NOT NULL,
	"subject" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"claimed_by" text,
	"verdict" text,
	"resolved_by" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "fraud_flags_status_check" CHECK ("fraud_flags"."status" in ('open','claimed','resolved')),
	CONSTRAINT "fraud_flags_verdict_check" CHECK ("fraud_flags"."verdict" is null or "fraud_flags"."verdict" in ('dismiss','freeze','rollback')),
	CONSTRAINT "fraud_flags_score_check" CHECK ("fraud_flags"."score" between 1 and 100)
);
--> statement-breakpoint
CREATE TABLE "rollbacks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"target_kind" text NOT NULL,
	"target_id" text NOT NULL,
	"state" text NOT NULL,
	"reason" text NOT NULL,
	"value" bigint NOT NULL,
	"plan" jsonb NOT NULL,
	"requested_by" text NOT NULL,
	"approved_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_at" timestamp with time zone,
	CONSTRAINT "rollbacks_kind_check" CHECK ("rollbacks"."target_kind" in ('fill','offer','mint')),
	CONSTRAINT "rollbacks_state_check" CHECK ("rollbacks"."state" in ('pending','applied','canceled')),
	CONSTRAINT "rollbacks_value_check" CHECK ("rollbacks"."value" >= 0)
);
--> statement-breakpoint
ALTER TABLE "debts" ADD CONSTRAINT "debts_player_id_players_id_fk" FOREIGN KEY ("player_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "debts" ADD CONSTRAINT "debts_creditor_id_players_id_fk" FOREIGN KEY ("creditor_id") REFERENCES "public"."players"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "debts" ADD CONSTRAINT "debts_rollback_id_rollbacks_id_fk" FOREIGN KEY ("rollback_id") REFERENCES "public"."rollbacks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "debts_open_idx" ON "debts" USING btree ("player_id") WHERE "debts"."settled_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "fraud_flags_rule_subject_key" ON "fraud_flags" USING btree ("rule","subject");--> statement-breakpoint
CREATE INDEX "fraud_flags_open_idx" ON "fraud_flags" USING btree ("created_at") WHERE "fraud_flags"."status" <> 'resolved';--> statement-breakpoint
CREATE UNIQUE INDEX "rollbacks_target_key" ON "rollbacks" USING btree ("target_kind","target_id") WHERE "rollbacks"."state" <> 'canceled';