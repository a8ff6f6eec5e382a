ALTER TABLE "project_members" DROP COLUMN "spent_micros";--> statement-breakpoint
ALTER TABLE "project_members" DROP COLUMN "reserved_micros";