CREATE TABLE "trash_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"chat_id" uuid NOT NULL,
	"message_id" uuid,
	"label" text NOT NULL,
	"message_count" integer DEFAULT 0 NOT NULL,
	"moved_tips" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"deleted_by" uuid,
	"deleted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"purge_after" timestamp with time zone NOT NULL,
	CONSTRAINT "trash_items_kind_check" CHECK (("trash_items"."kind" = 'message') = ("trash_items"."message_id" is not null)),
	CONSTRAINT "trash_items_purge_check" CHECK ("trash_items"."purge_after" > "trash_items"."deleted_at")
);
--> statement-breakpoint
ALTER TABLE "chats" ADD COLUMN "trash_id" uuid;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "trash_id" uuid;--> statement-breakpoint
ALTER TABLE "trash_items" ADD CONSTRAINT "trash_items_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trash_items" ADD CONSTRAINT "trash_items_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trash_items" ADD CONSTRAINT "trash_items_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trash_items" ADD CONSTRAINT "trash_items_deleted_by_users_id_fk" FOREIGN KEY ("deleted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "trash_items_project_idx" ON "trash_items" USING btree ("project_id","deleted_at");--> statement-breakpoint
CREATE INDEX "trash_items_purge_idx" ON "trash_items" USING btree ("purge_after");--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_trash_id_trash_items_id_fk" FOREIGN KEY ("trash_id") REFERENCES "public"."trash_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_trash_id_trash_items_id_fk" FOREIGN KEY ("trash_id") REFERENCES "public"."trash_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "messages_trash_idx" ON "messages" USING btree ("trash_id");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_trash_deleted_check" CHECK ("messages"."trash_id" is null or "messages"."deleted_at" is not null);