import "server-only";
import { customType, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { chats, messages } from "./chat";
import { createdAt, ts, updatedAt } from "./columns";
import { projects } from "./projects";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * The full-text index of messages, one row per non-empty, non-deleted message.
 * It lives beside `messages` rather than as a column on it so that no
 * `select()` of messages ships a tsvector to the browser, and so the project
 * is on the row: search scopes by project without joining chats.
 *
 * Kept current by a trigger on `messages` (drizzle/0013_message_search_sync.sql),
 * so every writer — a chat turn, a streaming answer's partial saves, crash
 * recovery, a restore from trash — is indexed without remembering to.
 */
export const messageSearch = pgTable(
  "message_search",
  {
    messageId: uuid("message_id")
      .primaryKey()
      .references(() => messages.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    tsv: tsvector("tsv").notNull(),
    /** the message's own creation time (tie-break: newer first) */
    createdAt: createdAt(),
  },
  (t) => [
    // server/search/messages.ts: websearch_to_tsquery @@ tsv
    index("message_search_tsv_idx").using("gin", t.tsv),
    // the same search when a word is so common the planner prefers scanning one project's rows
    index("message_search_project_idx").on(t.projectId, t.createdAt),
  ],
);

export const SUMMARY_METHODS = ["local", "extractive"] as const;
export type SummaryMethod = (typeof SUMMARY_METHODS)[number];

/**
 * A chat's short summary and keywords, kept current in the background
 * (server/summaries/keep-current.ts) and shown in the chat list, on the
 * canvas and in search results. `chatUpdatedAt` is the chat's `updated_at`
 * the summary was made from: a chat that moved on since is stale.
 */
export const chatSummaries = pgTable(
  "chat_summaries",
  {
    chatId: uuid("chat_id")
      .primaryKey()
      .references(() => chats.id, { onDelete: "cascade" }),
    summary: text("summary").notNull().default(""),
    keywords: jsonb("keywords").$type<string[]>().notNull().default([]),
    method: text("method", { enum: SUMMARY_METHODS }),
    /** how many messages it was made from */
    messageCount: integer("message_count").notNull().default(0),
    chatUpdatedAt: ts("chat_updated_at"),
    /** a worker's lease while it summarises (another instance skips the chat until it passes) */
    claimedUntil: ts("claimed_until"),
    updatedAt: updatedAt(),
  },
);
export type ChatSummary = typeof chatSummaries.$inferSelect;
