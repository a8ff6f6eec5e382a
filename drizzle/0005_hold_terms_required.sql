ALTER TABLE "reservations" ALTER COLUMN "billing_tier" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "reservations" ALTER COLUMN "key_source" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "reservations" ALTER COLUMN "model" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "reservations" ALTER COLUMN "input_micros_per_mtok" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "reservations" ALTER COLUMN "output_micros_per_mtok" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "reservations" ALTER COLUMN "bound_tokens_in" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "reservations" ALTER COLUMN "bound_tokens_out" SET NOT NULL;