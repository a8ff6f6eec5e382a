ALTER TABLE "chats" ADD COLUMN "model_choice" text;--> statement-breakpoint
ALTER TABLE "message_citations" ADD COLUMN "problem" text;