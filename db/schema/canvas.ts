import "server-only";
import { boolean, doublePrecision, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { messages } from "./chat";
import { createdAt, id, ts, updatedAt } from "./columns";
import { projects } from "./projects";

export const CANVAS_NODE_KINDS = ["message", "source", "note", "chat"] as const;
export type CanvasNodeKind = (typeof CANVAS_NODE_KINDS)[number];

export type EdgeStyle = {
  line?: "solid" | "dashed";
  color?: string;
  arrowStart?: boolean;
  arrowEnd?: boolean;
};

/**
 * Where a thing sits on the project's board. Messages and sources get a row
 * only once someone moves, locks or styles them; until then the tidy-tree
 * layout places them. Notes always have a row (`text` holds the note).
 */
export const canvasNodes = pgTable(
  "canvas_nodes",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: CANVAS_NODE_KINDS }).notNull(),
    /** the message / source / chat id this node stands for; null for notes */
    ref: uuid("ref"),
    text: text("text"),
    x: doublePrecision("x").notNull(),
    y: doublePrecision("y").notNull(),
    locked: boolean("locked").notNull().default(false),
    style: jsonb("style").$type<Record<string, unknown>>().notNull().default({}),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** notes are soft-deleted so other members' boards learn of it through `canvas.changes` */
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    // the board's stored positions and `canvas.changes` (updated since)
    index("canvas_nodes_project_idx").on(t.projectId, t.updatedAt),
    // one stored position per referenced thing
    uniqueIndex("canvas_nodes_ref_idx").on(t.projectId, t.kind, t.ref),
  ],
);

/** People's own edges. Endpoints are canvas keys: "m:<messageId>", "s:<sourceId>", "n:<noteId>". */
export const canvasEdges = pgTable(
  "canvas_edges",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    fromKey: text("from_key").notNull(),
    toKey: text("to_key").notNull(),
    label: text("label").notNull().default(""),
    style: jsonb("style").$type<EdgeStyle>().notNull().default({}),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  // the board's edges and `canvas.changes` (updated since)
  (t) => [index("canvas_edges_project_idx").on(t.projectId, t.updatedAt)],
);

export const comments = pgTable(
  "comments",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** the canvas key of what is commented on: "m:<id>", "s:<id>", "n:<id>" */
    targetKey: text("target_key").notNull(),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "cascade" }),
    /** replies point at the thread's first comment */
    threadId: uuid("thread_id"),
    body: text("body").notNull(),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    resolvedAt: ts("resolved_at"),
    resolvedBy: uuid("resolved_by").references(() => users.id, { onDelete: "set null" }),
    /** set when the author changes the body ("edited" in the thread) */
    editedAt: ts("edited_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    // comment counts on the board and `canvas.changes` (updated since)
    index("comments_project_idx").on(t.projectId, t.updatedAt),
    // the side panel's thread of one node
    index("comments_target_idx").on(t.targetKey),
  ],
);
