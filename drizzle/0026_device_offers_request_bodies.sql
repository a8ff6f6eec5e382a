CREATE TABLE "project_device_offers" (
	"project_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"offered_by" uuid NOT NULL,
	"allowed_at" timestamp with time zone,
	"allowed_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "project_device_offers_project_id_device_id_pk" PRIMARY KEY("project_id","device_id")
);
--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "request_log_bodies" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "request_body" text;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "response_body" text;--> statement-breakpoint
ALTER TABLE "project_device_offers" ADD CONSTRAINT "project_device_offers_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_device_offers" ADD CONSTRAINT "project_device_offers_allowed_by_users_id_fk" FOREIGN KEY ("allowed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_device_offers" ADD CONSTRAINT "project_device_offers_member_fk" FOREIGN KEY ("project_id","offered_by") REFERENCES "public"."project_members"("project_id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "project_device_offers_offered_by_idx" ON "project_device_offers" USING btree ("offered_by");