CREATE TABLE "adapters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"uploaded_by" uuid,
	"name" text NOT NULL,
	"file_name" text NOT NULL,
	"base_model" text NOT NULL,
	"served_name" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"status" text DEFAULT 'uploading' NOT NULL,
	"error" text,
	"upload_id" text,
	"object_key" text,
	"stored_in" text,
	"format" text,
	"rank" integer,
	"alpha" real,
	"target_modules" jsonb,
	"tensor_count" integer,
	"use_count" integer DEFAULT 0 NOT NULL,
	"last_used_at" timestamp with time zone,
	"uploaded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "adapters_upload_id_unique" UNIQUE("upload_id")
);
--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "adapter_id" uuid;--> statement-breakpoint
ALTER TABLE "chats" ADD COLUMN "adapter_id" uuid;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "adapter_id" uuid;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "adapter_name" text;--> statement-breakpoint
ALTER TABLE "adapters" ADD CONSTRAINT "adapters_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "adapters" ADD CONSTRAINT "adapters_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "adapters_project_idx" ON "adapters" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "adapters_project_sha256_idx" ON "adapters" USING btree ("project_id","sha256") WHERE status <> 'error';--> statement-breakpoint
CREATE INDEX "adapters_uploading_idx" ON "adapters" USING btree ("updated_at") WHERE status = 'uploading';--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_adapter_id_adapters_id_fk" FOREIGN KEY ("adapter_id") REFERENCES "public"."adapters"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_adapter_id_adapters_id_fk" FOREIGN KEY ("adapter_id") REFERENCES "public"."adapters"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_adapter_id_adapters_id_fk" FOREIGN KEY ("adapter_id") REFERENCES "public"."adapters"("id") ON DELETE set null ON UPDATE no action;