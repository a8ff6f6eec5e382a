import "server-only";
import { customType, index, pgTable, uuid } from "drizzle-orm/pg-core";
import { chats, messages } from "./chat";
import { createdAt } from "./columns";
import { projects } from "./projects";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * The full-text index of messages, one row per non-empty, non-deleted message.
 * It lives beside `messages` rather than as a column on it so that no
 * `select()` of messages ships a tsvector to the browser, and so the project
 * is on the row: search scopes by project without joining chats.
 *
 * Kept current by a trigger on `messages` (drizzle/0010_message_search_sync.sql),
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
