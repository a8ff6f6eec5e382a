import "server-only";
import { sql } from "drizzle-orm";
import { type AnyPgColumn, boolean, check, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { adapters } from "./adapters";
import { type AgentSnapshot, agents } from "./agents";
import { users } from "./auth";
import { createdAt, id, micros, ts, updatedAt } from "./columns";
import { projects } from "./projects";

export const chats = pgTable(
  "chats",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    title: text("title").notNull().default("New chat"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    /** archived: kept whole and searchable, listed apart under "Archived" instead of among the chats */
    archivedAt: ts("archived_at"),
    /** the composer's model picker, remembered per chat: "auto", "local" or "cloud:<model id>" (lib/model-choice.ts); null = auto */
    modelChoice: text("model_choice"),
    /** the agent the chat's turns use unless a turn names another */
    agentId: uuid("agent_id").references(() => agents.id, { onDelete: "set null" }),
    /** the LoRA adapter this chat's local answers use (over the agent's and the project's) */
    adapterId: uuid("adapter_id").references(() => adapters.id, { onDelete: "set null" }),
    /** set while the whole chat is in the project's trash (docs/chat.md#trash): every reader treats it as gone */
    trashId: uuid("trash_id").references((): AnyPgColumn => trashItems.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // the chat list of a project, most recent first
    index("chats_project_idx").on(t.projectId, t.updatedAt),
  ],
);
export type Chat = typeof chats.$inferSelect;

export const MESSAGE_ROLES = ["user", "assistant"] as const;
export const MESSAGE_STATUSES = ["streaming", "complete", "stopped", "error", "interrupted"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const TIERS = ["local", "cloud"] as const;
export type Tier = (typeof TIERS)[number];

/**
 * The message DAG: every message points at its parent; siblings share one.
 * A branch is a tip and its ancestors, so nothing is ever copied. A merge
 * message has a second parent (`merge_parent_id`, the tip of the other
 * branch it joins); every tree walk that only needs one line follows
 * `parent_id`, and the model's context follows both (server/chat/lineage.ts).
 */
export const messages = pgTable(
  "messages",
  {
    id: id(),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    parentId: uuid("parent_id").references((): AnyPgColumn => messages.id, { onDelete: "cascade" }),
    /** a merge's second parent, in the same chat (the composite key below); deleting it deletes the merge, as deleting `parent_id` does */
    mergeParentId: uuid("merge_parent_id"),
    role: text("role", { enum: MESSAGE_ROLES }).notNull(),
    content: text("content").notNull().default(""),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    tier: text("tier", { enum: TIERS }),
    /** "vault-responder" for the built-in local tier; the provider's model id otherwise */
    model: text("model"),
    status: text("status", { enum: MESSAGE_STATUSES }).notNull().default("complete"),
    error: text("error"),
    tokensIn: integer("tokens_in").notNull().default(0),
    tokensOut: integer("tokens_out").notNull().default(0),
    costMicros: micros("cost_micros").notNull().default(sql`0`),
    latencyMs: integer("latency_ms"),
    /** the agent that answered, and its settings as used (editing the agent later changes nothing here) */
    agentId: uuid("agent_id").references(() => agents.id, { onDelete: "set null" }),
    agentSnapshot: jsonb("agent_snapshot").$type<AgentSnapshot>(),
    /** the LoRA adapter the local tier answered with; the name is kept so the details survive a delete */
    adapterId: uuid("adapter_id").references(() => adapters.id, { onDelete: "set null" }),
    adapterName: text("adapter_name"),
    /** true: the local tier answered with the adapter; false: one was chosen but this answer did not use it (cloud, vault responder) */
    loraApplied: boolean("lora_applied"),
    feedback: text("feedback", { enum: ["good", "bad"] }),
    deletedAt: ts("deleted_at"),
    /** the trash item this message went with (its own subtree or its whole chat); restore clears both columns */
    trashId: uuid("trash_id").references((): AnyPgColumn => trashItems.id),
    createdAt: createdAt(),
  },
  (t) => [
    // a trashed message is a deleted one: every reader that hides deleted messages hides trashed ones
    check("messages_trash_deleted_check", sql`${t.trashId} is null or ${t.deletedAt} is not null`),
    // restore and the trash list: the messages of one trash item
    index("messages_trash_idx").on(t.trashId),
    // children of a message (siblings, the recursive branch walk goes the other way by id)
    index("messages_parent_idx").on(t.parentId),
    // all messages of a chat (tree export, canvas)
    index("messages_chat_idx").on(t.chatId, t.createdAt),
    // start-up sweep of answers left streaming by a crash
    index("messages_streaming_idx").on(t.status),
    // the target of the same-chat key of merge_parent_id below
    uniqueIndex("messages_chat_id_idx").on(t.chatId, t.id),
    // a merge's second parent stays in the merge's chat, and its delete cascades like the first parent's
    foreignKey({ name: "messages_merge_parent_fk", columns: [t.chatId, t.mergeParentId], foreignColumns: [t.chatId, t.id] }).onDelete("cascade"),
    // the merges below a message (canvas joins, delete cascades)
    index("messages_merge_parent_idx").on(t.mergeParentId).where(sql`${t.mergeParentId} is not null`),
    // two distinct parents, neither the message itself; a merge always has its first parent
    check(
      "messages_merge_parent_check",
      sql`${t.mergeParentId} is null or (${t.parentId} is not null and ${t.mergeParentId} <> ${t.parentId} and ${t.mergeParentId} <> ${t.id})`,
    ),
  ],
);
export type Message = typeof messages.$inferSelect;

export const BRANCH_STATUSES = ["active", "archived", "merged"] as const;
export type BranchStatus = (typeof BRANCH_STATUSES)[number];

export const branches = pgTable(
  "branches",
  {
    id: id(),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    tipMessageId: uuid("tip_message_id").references(() => messages.id, { onDelete: "set null" }),
    /** the message this branch was forked from (null for a chat's first branch) */
    forkMessageId: uuid("fork_message_id").references(() => messages.id, { onDelete: "set null" }),
    parentBranchId: uuid("parent_branch_id").references((): AnyPgColumn => branches.id, { onDelete: "set null" }),
    title: text("title").notNull().default("Main"),
    /** merged: joined into a merge message (sending after its tip makes it active again) */
    status: text("status", { enum: BRANCH_STATUSES }).notNull().default("active"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // the branch menu of a chat
    index("branches_chat_idx").on(t.chatId),
  ],
);
export type Branch = typeof branches.$inferSelect;

/** The trace of one answer: retrieval, escalation decision, generation, citation verification, phase timings (the Details panel reads it). */
export const generationSteps = pgTable(
  "generation_steps",
  {
    id: id(),
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["retrieval", "escalation", "generation", "verification", "timing"] }).notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    durationMs: integer("duration_ms"),
    createdAt: createdAt(),
  },
  (t) => [index("generation_steps_message_idx").on(t.messageId)],
);

export const STREAM_STATUSES = ["running", "done"] as const;

/**
 * One answer being produced. `request_id` is the client's idempotency key:
 * a retry with the same id finds this row and replays its ledger.
 */
export const chatStreams = pgTable(
  "chat_streams",
  {
    id: id(),
    requestId: text("request_id").notNull(),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    branchId: uuid("branch_id").references(() => branches.id, { onDelete: "set null" }),
    userMessageId: uuid("user_message_id").references(() => messages.id, { onDelete: "cascade" }),
    assistantMessageId: uuid("assistant_message_id").references(() => messages.id, { onDelete: "cascade" }),
    startedBy: uuid("started_by").references(() => users.id, { onDelete: "set null" }),
    status: text("status", { enum: STREAM_STATUSES }).notNull().default("running"),
    /** set by Stop; the producer polls it, on whichever instance it runs */
    stopRequestedAt: ts("stop_requested_at"),
    /** renewed by the producer while it runs; only a stream whose heartbeat stopped may be swept as interrupted */
    heartbeatAt: ts("heartbeat_at").notNull().defaultNow(),
    createdAt: createdAt(),
    finishedAt: ts("finished_at"),
  },
  (t) => [
    // idempotent retry of POST /api/chat
    uniqueIndex("chat_streams_request_idx").on(t.startedBy, t.requestId),
    // "is something already streaming on this chat?" and the watcher's lookup
    index("chat_streams_chat_idx").on(t.chatId, t.status),
  ],
);
export type ChatStream = typeof chatStreams.$inferSelect;

/**
 * Open readers of a stream, by person: what "while you were away" is measured
 * against (server/chat/stream/readers.ts). A row per open reader, renewed
 * while it reads and deleted when it closes; a reader that died stops being
 * renewed and counts as gone after READER_STALE_MS.
 */
export const streamReaders = pgTable(
  "stream_readers",
  {
    id: id(),
    streamId: uuid("stream_id")
      .notNull()
      .references(() => chatStreams.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    seenAt: ts("seen_at").notNull().defaultNow(),
  },
  // "does this person still read this stream?" when its answer ends
  (t) => [index("stream_readers_stream_user_idx").on(t.streamId, t.userId)],
);

/** The ledger: every SSE event of a stream, in order, so it can be resumed or watched anywhere. */
export const streamEvents = pgTable(
  "stream_events",
  {
    streamId: uuid("stream_id")
      .notNull()
      .references(() => chatStreams.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    event: jsonb("event").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.streamId, t.seq] })],
);

export const TRASH_KINDS = ["message", "chat"] as const;
export type TrashKind = (typeof TRASH_KINDS)[number];
/** A branch whose tip was inside a trashed subtree: its tip moved up to the subtree's parent, and moves back on restore. */
export type MovedTip = { branchId: string; tipMessageId: string; movedTo: string | null };

/**
 * The project's trash (docs/chat.md#trash): a message with its subtree, or a
 * whole chat, kept whole for 30 days and restorable exactly. Nothing is
 * copied: the rows stay where they are, marked with this item's id; purging
 * deletes the root and the foreign keys' cascades take everything hanging off it.
 */
export const trashItems = pgTable(
  "trash_items",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: TRASH_KINDS }).notNull(),
    chatId: uuid("chat_id")
      .notNull()
      .references((): AnyPgColumn => chats.id, { onDelete: "cascade" }),
    /** the subtree's root (kind "message"); null for a whole chat */
    messageId: uuid("message_id").references((): AnyPgColumn => messages.id, { onDelete: "cascade" }),
    /** what the trash list shows: the chat's title, or the first words of the message */
    label: text("label").notNull(),
    messageCount: integer("message_count").notNull().default(0),
    movedTips: jsonb("moved_tips").$type<MovedTip[]>().notNull().default([]),
    deletedBy: uuid("deleted_by").references(() => users.id, { onDelete: "set null" }),
    deletedAt: ts("deleted_at").notNull().defaultNow(),
    /** when the trash worker removes it for good */
    purgeAfter: ts("purge_after").notNull(),
  },
  (t) => [
    // the trash page of a project, newest first
    index("trash_items_project_idx").on(t.projectId, t.deletedAt),
    // the purge worker: items whose 30 days are over
    index("trash_items_purge_idx").on(t.purgeAfter),
    check("trash_items_kind_check", sql`(${t.kind} = 'message') = (${t.messageId} is not null)`),
    check("trash_items_purge_check", sql`${t.purgeAfter} > ${t.deletedAt}`),
  ],
);
export type TrashItem = typeof trashItems.$inferSelect;
