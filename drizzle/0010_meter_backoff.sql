ALTER TABLE "usage_events" ADD COLUMN "meter_next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "meter_dead_lettered_at" timestamp with time zone;