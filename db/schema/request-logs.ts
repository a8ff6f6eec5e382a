import "server-only";
import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { chats, messages } from "./chat";
import { createdAt, id, micros } from "./columns";
import { projects } from "./projects";

/**
 * One upstream model call of a project, for its owner's request log: who,
 * where, which agent, provider and model, how it went, how fast, how much.
 * The request and response bodies only when the owner turned that on for the
 * project (projects.request_log_bodies), redacted of keys and credentials;
 * never a header, never a key. Pruned, bodies with the row, after the
 * project's retention period (projects.request_log_days).
 */
export const requestLogs = pgTable(
  "request_logs",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    chatId: uuid("chat_id").references(() => chats.id, { onDelete: "set null" }),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    agentName: text("agent_name"),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    tier: text("tier", { enum: ["local", "cloud"] }).notNull(),
    status: text("status", { enum: ["complete", "stopped", "error"] }).notNull(),
    ttftMs: integer("ttft_ms"),
    latencyMs: integer("latency_ms").notNull(),
    tokensIn: integer("tokens_in").notNull().default(0),
    tokensOut: integer("tokens_out").notNull().default(0),
    costMicros: micros("cost_micros").notNull().default(sql`0`),
    error: text("error"),
    /** the body sent upstream as JSON text, redacted and capped; null unless the project keeps bodies */
    requestBody: text("request_body"),
    /** the text the model answered, capped; null unless the project keeps bodies */
    responseBody: text("response_body"),
    createdAt: createdAt(),
  },
  (t) => [
    // the owner's log, newest first, filtered by date; and the retention prune
    index("request_logs_project_idx").on(t.projectId, t.createdAt),
  ],
);
export type RequestLog = typeof requestLogs.$inferSelect;
