ALTER TABLE "messages" ADD COLUMN "merge_parent_id" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_chat_id_idx" ON "messages" USING btree ("chat_id","id");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_merge_parent_fk" FOREIGN KEY ("chat_id","merge_parent_id") REFERENCES "public"."messages"("chat_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "messages_merge_parent_idx" ON "messages" USING btree ("merge_parent_id") WHERE "messages"."merge_parent_id" is not null;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_merge_parent_check" CHECK ("messages"."merge_parent_id" is null or ("messages"."parent_id" is not null and "messages"."merge_parent_id" <> "messages"."parent_id" and "messages"."merge_parent_id" <> "messages"."id"));
