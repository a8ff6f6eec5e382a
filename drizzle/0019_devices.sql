CREATE TABLE "device_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"device_id" uuid NOT NULL,
	"project_id" uuid,
	"stream_id" text,
	"request" jsonb NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"output" text DEFAULT '' NOT NULL,
	"output_seq" integer DEFAULT 0 NOT NULL,
	"model" text,
	"tokens_in" integer,
	"tokens_out" integer,
	"error" text,
	"stop_requested_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"first_token_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "device_pairings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"device_code_hash" text NOT NULL,
	"user_code" text NOT NULL,
	"client_name" text,
	"model_server" text,
	"interval_seconds" smallint DEFAULT 5 NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_polled_at" timestamp with time zone,
	"approved_by" uuid,
	"device_id" uuid,
	"request_ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "device_projects" (
	"device_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	CONSTRAINT "device_projects_device_id_project_id_pk" PRIMARY KEY("device_id","project_id")
);
--> statement-breakpoint
CREATE TABLE "device_vitals" (
	"device_id" uuid NOT NULL,
	"resolution" smallint DEFAULT 0 NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"cpu" real NOT NULL,
	"memory" real NOT NULL,
	"disk" real NOT NULL,
	"gpu" real,
	"gpu_temp" real,
	"vram" real,
	"active_sessions" integer DEFAULT 0 NOT NULL,
	"pending_queries" integer DEFAULT 0 NOT NULL,
	"samples" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "device_vitals_device_id_resolution_at_pk" PRIMARY KEY("device_id","resolution","at"),
	CONSTRAINT "device_vitals_ranges_check" CHECK ("device_vitals"."cpu" between 0 and 1 and "device_vitals"."memory" between 0 and 1 and "device_vitals"."disk" between 0 and 1)
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text,
	"token_prefix" text,
	"model_server" text,
	"loaded_model" text,
	"last_heartbeat_at" timestamp with time zone,
	"last_latency_ms" integer,
	"last_vitals" jsonb,
	"tunnel_state" text,
	"reconnect_attempt" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"tunnel_seen_at" timestamp with time zone,
	"stats" jsonb,
	"prewarm_until" timestamp with time zone,
	"prewarm_reason" text,
	"prewarm_source" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "project_local_devices" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"device_id" uuid NOT NULL,
	"set_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "device_jobs" ADD CONSTRAINT "device_jobs_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_jobs" ADD CONSTRAINT "device_jobs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_pairings" ADD CONSTRAINT "device_pairings_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_pairings" ADD CONSTRAINT "device_pairings_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_projects" ADD CONSTRAINT "device_projects_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_projects" ADD CONSTRAINT "device_projects_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_vitals" ADD CONSTRAINT "device_vitals_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_local_devices" ADD CONSTRAINT "project_local_devices_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_local_devices" ADD CONSTRAINT "project_local_devices_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_local_devices" ADD CONSTRAINT "project_local_devices_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "device_jobs_device_state_idx" ON "device_jobs" USING btree ("device_id","state","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "device_pairings_code_hash_idx" ON "device_pairings" USING btree ("device_code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "device_pairings_user_code_idx" ON "device_pairings" USING btree ("user_code");--> statement-breakpoint
CREATE INDEX "device_projects_project_idx" ON "device_projects" USING btree ("project_id");--> statement-breakpoint
CREATE UNIQUE INDEX "devices_token_hash_idx" ON "devices" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "devices_user_idx" ON "devices" USING btree ("user_id","created_at");