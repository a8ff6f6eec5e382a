CREATE TABLE "custom_provider_models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider_id" uuid NOT NULL,
	"model" text NOT NULL,
	"input_micros_per_mtok" bigint,
	"output_micros_per_mtok" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "custom_provider_models_price_check" CHECK (("custom_provider_models"."input_micros_per_mtok" is null) = ("custom_provider_models"."output_micros_per_mtok" is null)
        and coalesce("custom_provider_models"."input_micros_per_mtok", 0) between 0 and 1000000000
        and coalesce("custom_provider_models"."output_micros_per_mtok", 0) between 0 and 1000000000)
);
--> statement-breakpoint
CREATE TABLE "custom_providers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"base_url" text NOT NULL,
	"key_ciphertext" text,
	"key_hint" text,
	"local_model" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "custom_provider_models" ADD CONSTRAINT "custom_provider_models_provider_id_custom_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."custom_providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "custom_providers" ADD CONSTRAINT "custom_providers_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "custom_providers" ADD CONSTRAINT "custom_providers_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "custom_provider_models_provider_model_idx" ON "custom_provider_models" USING btree ("provider_id","model");--> statement-breakpoint
CREATE UNIQUE INDEX "custom_providers_project_name_idx" ON "custom_providers" USING btree ("project_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "custom_providers_local_idx" ON "custom_providers" USING btree ("project_id") WHERE "custom_providers"."local_model" is not null;