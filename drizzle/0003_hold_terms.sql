CREATE TABLE "billing_incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"request_id" text NOT NULL,
	"reservation_id" uuid,
	"payer_id" uuid,
	"held_micros" bigint NOT NULL,
	"charged_micros" bigint NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "stream_id" uuid;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "billing_tier" text;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "key_source" text;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "input_micros_per_mtok" bigint;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "output_micros_per_mtok" bigint;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "bound_tokens_in" integer;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "bound_tokens_out" integer;--> statement-breakpoint
ALTER TABLE "chat_streams" ADD COLUMN "heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "billing_incidents" ADD CONSTRAINT "billing_incidents_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."reservations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_incidents" ADD CONSTRAINT "billing_incidents_payer_id_users_id_fk" FOREIGN KEY ("payer_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "billing_incidents_created_idx" ON "billing_incidents" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_stream_id_chat_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."chat_streams"("id") ON DELETE set null ON UPDATE no action;