import "server-only";
import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, real, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, id, ts, updatedAt } from "./columns";
import { projects } from "./projects";

/** uploading → processing → ready, or error with a message. */
export const ADAPTER_STATUSES = ["uploading", "processing", "ready", "error"] as const;
export type AdapterStatus = (typeof ADAPTER_STATUSES)[number];

/**
 * The LoRA registry. The bytes live in the object store
 * (server/storage/), never here; `objectKey` says where. The project's storage
 * quota is charged `sizeBytes` when the upload is created, before any byte
 * arrives, and released when an upload fails, is abandoned or the adapter is deleted.
 * @see docs/adapters.md
 */
export const adapters = pgTable(
  "adapters",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    uploadedBy: uuid("uploaded_by").references(() => users.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    /** the file name as uploaded (what a download is called) */
    fileName: text("file_name").notNull(),
    /** what the person said it was trained on; adapter_config.json's base_model_name_or_path wins when there is one */
    baseModel: text("base_model").notNull(),
    /** the model name the project's local server (vLLM, llama.cpp) serves this adapter as */
    servedName: text("served_name").notNull(),
    /** declared at creation (the tus Upload-Length) */
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    /** the SHA-256 the browser computed (hex); the server's own must equal it before the adapter is ready */
    sha256: text("sha256").notNull(),
    status: text("status", { enum: ADAPTER_STATUSES }).notNull().default("uploading"),
    /** why it failed, for the person who uploaded it */
    error: text("error"),
    /** the tus upload's id while bytes arrive */
    uploadId: text("upload_id").unique(),
    /** the object store key once processed, and where that is ("filesystem: …", "s3://…") */
    objectKey: text("object_key"),
    storedIn: text("stored_in"),
    /** what processing read from the header / adapter_config.json */
    format: text("format", { enum: ["safetensors", "zip"] }),
    rank: integer("rank"),
    alpha: real("alpha"),
    targetModules: jsonb("target_modules").$type<string[]>(),
    tensorCount: integer("tensor_count"),
    useCount: integer("use_count").notNull().default(0),
    lastUsedAt: ts("last_used_at"),
    uploadedAt: ts("uploaded_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // the registry page: a project's adapters, newest first
    index("adapters_project_idx").on(t.projectId, t.createdAt),
    // dedupe: the same bytes once per project (a failed upload does not block a retry)
    uniqueIndex("adapters_project_sha256_idx").on(t.projectId, t.sha256).where(sql`status <> 'error'`),
    // the clean-up job: uploads that stopped arriving
    index("adapters_uploading_idx").on(t.updatedAt).where(sql`status = 'uploading'`),
  ],
);
export type Adapter = typeof adapters.$inferSelect;
