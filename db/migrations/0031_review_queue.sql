ALTER TABLE "fraud_flags" DROP CONSTRAINT "fraud_flags_status_check";--> statement-breakpoint
ALTER TABLE "rollbacks" DROP CONSTRAINT "rollbacks_state_check";--> statement-breakpoint
ALTER TABLE "fraud_flags" ADD CONSTRAINT "fraud_flags_status_check" CHECK ("fraud_flags"."status" in ('open','claimed','escalated','resolved'));--> statement-breakpoint
ALTER TABLE "rollbacks" ADD CONSTRAINT "rollbacks_state_check" CHECK ("rollbacks"."state" in ('proposed','pending','applied','canceled'));