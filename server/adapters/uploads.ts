import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Adapter, adapters } from "@/db/schema";
import { recordActivity } from "@/server/activity/record";
import { AppError } from "@/server/errors";
import { releaseStorage } from "@/server/knowledge/storage";
import { requireProjectRole } from "@/server/projects/access";
import type { Storage } from "@/server/storage/store";
import { chargeAdapterStorage } from "./quota";

/** What the browser declares when it creates an upload (the tus Upload-Metadata). */
export type UploadDeclaration = {
  projectId: string;
  name: string;
  fileName: string;
  baseModel: string;
  sha256: string;
  servedName?: string;
};

const SHA256 = /^[0-9a-f]{64}$/;

/** vLLM and llama.cpp serve an adapter under a model name; the default is the adapter's name, slugged. */
export function defaultServedName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
  return slug || "adapter";
}

export function validateDeclaration(raw: Record<string, string | null | undefined>): UploadDeclaration {
  const text = (k: string) => (raw[k] ?? "").trim();
  const fileName = text("filename") || text("fileName");
  const name = text("name") || fileName.replace(/\.(safetensors|zip)$/i, "");
  const declared = {
    projectId: text("projectId"),
    name: name.slice(0, 200),
    fileName: fileName.slice(0, 255),
    baseModel: text("baseModel").slice(0, 200),
    sha256: text("sha256").toLowerCase(),
    servedName: text("servedName") || undefined,
  };
  if (!/^[0-9a-f-]{36}$/i.test(declared.projectId)) throw new AppError("bad_request:project", "The upload does not say which project it is for.");
  if (!declared.fileName) throw new AppError("bad_request:file_name", "The upload needs the file's name.");
  if (!/\.(safetensors|zip)$/i.test(declared.fileName)) {
    throw new AppError("unsupported_media_type:adapter_file", "Upload a LoRA adapter as a .safetensors file, or the adapter folder as a .zip (adapter_config.json and adapter_model.safetensors).");
  }
  if (!declared.baseModel) throw new AppError("bad_request:base_model", "Say which base model the adapter was trained for (for example meta-llama/Llama-3.1-8B-Instruct).");
  if (!SHA256.test(declared.sha256)) throw new AppError("bad_request:sha256", "The upload must declare the file's SHA-256 (64 hex digits), computed in the browser before sending.");
  if (declared.servedName !== undefined && !/^[A-Za-z0-9._:/-]{1,120}$/.test(declared.servedName)) {
    throw new AppError("bad_request:served_name", "A served name may use letters, digits and . _ - : / only.");
  }
  return declared;
}

/**
 * A new upload, before a byte of it arrives: the role (editors and owners),
 * the same bytes already in the registry (refused, naming the adapter), and
 * the declared size charged to the project's quota — in one transaction with
 * the registry row, which shows it as "uploading" from then on.
 */
export async function beginUpload(db: Db, args: { userId: string; uploadId: string; size: number; declaration: UploadDeclaration }): Promise<Adapter> {
  const { declaration: d } = args;
  await requireProjectRole(db, { projectId: d.projectId, userId: args.userId, minimum: "editor" });
  if (!Number.isSafeInteger(args.size) || args.size <= 0) throw new AppError("bad_request:upload_length", "The upload must declare its length (an empty file is not an adapter).");
  return db.transaction(async (tx) => {
    const [same] = await tx
      .select({ name: adapters.name, status: adapters.status })
      .from(adapters)
      .where(and(eq(adapters.projectId, d.projectId), eq(adapters.sha256, d.sha256), ne(adapters.status, "error")));
    if (same) throw duplicateOf(same.name, same.status);
    await chargeAdapterStorage(tx, { projectId: d.projectId, bytes: args.size, name: d.fileName });
    const inserted = await tx
      .insert(adapters)
      .values({
        projectId: d.projectId,
        uploadedBy: args.userId,
        name: d.name,
        fileName: d.fileName,
        baseModel: d.baseModel,
        servedName: d.servedName ?? defaultServedName(d.name),
        sizeBytes: args.size,
        sha256: d.sha256,
        uploadId: args.uploadId,
        format: d.fileName.toLowerCase().endsWith(".zip") ? "zip" : "safetensors",
      })
      // Two tabs sending the same bytes at once: the unique index decides, and the loser is told why.
      .onConflictDoNothing()
      .returning();
    const row = inserted[0];
    if (!row) throw duplicateOf(d.name, "uploading");
    return row;
  });
}

function duplicateOf(name: string, status: Adapter["status"]): AppError {
  return new AppError(
    "conflict:adapter_duplicate",
    status === "uploading"
      ? `These exact bytes are already being uploaded to this project as “${name}”. Resume that upload instead of starting another.`
      : `These exact bytes are already in this project's registry as “${name}” (same SHA-256); nothing was uploaded twice.`,
  );
}

/** How often a live upload's `updated_at` moves (abandoned means a day without one). */
const TOUCH_EVERY_MS = 60_000;

/**
 * Every later request of an upload (resume, chunk, cancel): only to an upload
 * that is still arriving, only by an editor or owner of its project. Touching
 * `updated_at` keeps a live upload from being taken for abandoned.
 */
export async function authorizeUpload(db: Db, { uploadId, userId }: { uploadId: string; userId: string }): Promise<Adapter> {
  const [row] = await db.select().from(adapters).where(eq(adapters.uploadId, uploadId));
  if (!row) throw new AppError("not_found:upload", "This upload does not exist (it may have been cancelled or cleaned up). Start it again.");
  await requireProjectRole(db, { projectId: row.projectId, userId, minimum: "editor" });
  if (row.status !== "uploading") {
    throw new AppError("conflict:upload_finished", row.status === "error" ? `This upload has ended: ${row.error ?? "it failed"}` : "This upload is complete already.");
  }
  // A touch a minute is enough to tell a live upload from one abandoned for a day, and spares each chunk a write.
  if (Date.now() - row.updatedAt.getTime() > TOUCH_EVERY_MS) await db.update(adapters).set({ updatedAt: new Date() }).where(eq(adapters.id, row.id));
  return row;
}

/** All bytes are in: processing (verify, read the header, file the object) takes over. */
export async function markUploaded(db: Db, { uploadId }: { uploadId: string }): Promise<Adapter | null> {
  const now = new Date();
  const [row] = await db
    .update(adapters)
    .set({ status: "processing", uploadedAt: now, updatedAt: sql`now()` })
    .where(and(eq(adapters.uploadId, uploadId), eq(adapters.status, "uploading")))
    .returning();
  if (row?.uploadedBy) {
    await recordActivity(db, { projectId: row.projectId, actorId: row.uploadedBy, verb: "uploaded_adapter", targetKind: "adapter", targetId: row.id, detail: { name: row.name } });
  }
  return row ?? null;
}

/**
 * Cancel (the person pressed Cancel) or abandon (the clean-up job): the
 * bytes and tus bookkeeping go, the quota is released, and the row goes —
 * a cancelled upload leaves nothing behind. Conditional on the status, so a
 * cancel racing the last chunk cannot free the storage of a finished adapter.
 */
export async function discardUpload(db: Db, storage: Storage, { uploadId }: { uploadId: string }): Promise<boolean> {
  const gone = await db.transaction(async (tx) => {
    const [row] = await tx.delete(adapters).where(and(eq(adapters.uploadId, uploadId), eq(adapters.status, "uploading"))).returning();
    if (row) await releaseStorage(tx, { projectId: row.projectId, bytes: row.sizeBytes });
    return row ?? null;
  });
  if (gone) await storage.forgetUpload(uploadId);
  return Boolean(gone);
}

/** Uploads that stopped arriving a day ago: their bytes removed, their quota released, a line saying so in the registry. */
export async function cleanAbandonedUploads(db: Db, storage: Storage, { olderThanMs }: { olderThanMs: number }): Promise<number> {
  const stale = await db
    .select({ id: adapters.id, uploadId: adapters.uploadId })
    .from(adapters)
    .where(and(eq(adapters.status, "uploading"), sql`${adapters.updatedAt} < now() - make_interval(secs => ${olderThanMs / 1000})`));
  let cleaned = 0;
  for (const row of stale) {
    if (!row.uploadId) continue;
    const ended = await db.transaction(async (tx) => {
      const [r] = await tx
        .update(adapters)
        .set({ status: "error", error: "The upload stopped halfway and was cleaned up after a day. Upload the file again.", updatedAt: new Date() })
        .where(and(eq(adapters.id, row.id), eq(adapters.status, "uploading")))
        .returning();
      if (r) await releaseStorage(tx, { projectId: r.projectId, bytes: r.sizeBytes });
      return r;
    });
    if (!ended) continue;
    await storage.forgetUpload(row.uploadId);
    cleaned += 1;
  }
  return cleaned;
}
