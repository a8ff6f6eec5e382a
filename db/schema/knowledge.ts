import "server-only";
import { sql } from "drizzle-orm";
import {
  bigint,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { users } from "./auth";
import { messages } from "./chat";
import { createdAt, id, ts, updatedAt } from "./columns";
import { projects } from "./projects";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
});
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/** Content-addressed storage: the same bytes are stored once, keyed by their SHA-256. */
export const blobs = pgTable("blobs", {
  sha256: text("sha256").primaryKey(),
  size: bigint("size", { mode: "number" }).notNull(),
  mime: text("mime").notNull(),
  bytes: bytea("bytes").notNull(),
  createdAt: createdAt(),
});

export const SOURCE_STATUSES = ["processing", "ready", "failed"] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

export const sources = pgTable(
  "sources",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    mediaType: text("media_type").notNull(),
    origin: text("origin", { enum: ["upload", "paste", "url"] }).notNull(),
    url: text("url"),
    originalSha256: text("original_sha256").references(() => blobs.sha256),
    extractedSha256: text("extracted_sha256").references(() => blobs.sha256),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull().default(0),
    summary: text("summary"),
    keywords: jsonb("keywords").$type<string[]>().notNull().default([]),
    status: text("status", { enum: SOURCE_STATUSES }).notNull().default("processing"),
    error: text("error"),
    chunkCount: integer("chunk_count").notNull().default(0),
    addedBy: uuid("added_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    processedAt: ts("processed_at"),
    /** a worker holds the row until then; an expired lease (crashed worker) lets another claim it */
    leaseUntil: ts("lease_until"),
    /** processing attempts since the last (re)try, so a file that crashes the worker is given up on */
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [
    // the Knowledge tab list
    index("sources_project_idx").on(t.projectId, t.createdAt),
    // the background worker's queue
    index("sources_status_idx").on(t.status),
    // addUploadedFile / addPastedText: the same bytes once per project, however many uploads race (insert … on conflict)
    uniqueIndex("sources_project_bytes_idx").on(t.projectId, t.originalSha256).where(sql`${t.origin} <> 'url'`),
    // addUrlSource: the same link once per project (insert … on conflict)
    uniqueIndex("sources_project_url_idx").on(t.projectId, t.url).where(sql`${t.origin} = 'url'`),
  ],
);
export type Source = typeof sources.$inferSelect;

export const chunks = pgTable(
  "chunks",
  {
    id: id(),
    sourceId: uuid("source_id")
      .notNull()
      .references(() => sources.id, { onDelete: "cascade" }),
    /** denormalised so retrieval filters by project without a join */
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    ordinal: integer("ordinal").notNull(),
    heading: text("heading"),
    text: text("text").notNull(),
    tokenCount: integer("token_count").notNull(),
    /** character offsets of this chunk in the extracted text, for highlighting in the viewer */
    startOffset: integer("start_offset").notNull().default(0),
    endOffset: integer("end_offset").notNull().default(0),
    tsv: tsvector("tsv").generatedAlwaysAs(
      sql`to_tsvector('english', coalesce(heading, '') || ' ' || text)`,
    ),
  },
  (t) => [
    // full-text retrieval (websearch_to_tsquery @@ tsv)
    index("chunks_tsv_idx").using("gin", t.tsv),
    // retrieval scoped to one project
    index("chunks_project_idx").on(t.projectId),
    index("chunks_source_idx").on(t.sourceId, t.ordinal),
  ],
);
export type Chunk = typeof chunks.$inferSelect;

/** Which chunks an answer cited, with the [n] it used — kept for the canvas. */
export const messageCitations = pgTable(
  "message_citations",
  {
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    chunkId: uuid("chunk_id").references(() => chunks.id, { onDelete: "set null" }),
    sourceId: uuid("source_id").references(() => sources.id, { onDelete: "set null" }),
    relevance: real("relevance").notNull(),
    /** the verifying phase's verdict: null = supported; else why not (the number names no chunk the model was given, or the quote is not in it) */
    problem: text("problem", { enum: ["no_such_source", "quote_not_found"] }),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.number] }), index("message_citations_source_idx").on(t.sourceId)],
);

/** The sources an agent with scope "sources" may draw on; a deleted source drops out of every agent's scope. */
export const agentSources = pgTable(
  "agent_sources",
  {
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    sourceId: uuid("source_id")
      .notNull()
      .references(() => sources.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.sourceId] }), index("agent_sources_source_idx").on(t.sourceId)],
);
