import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Adapter, adapters } from "@/db/schema";
import { releaseStorage } from "@/server/knowledge/storage";
import type { Storage } from "@/server/storage/store";
import { inspectSafetensorsObject, inspectZipObject, sha256Of } from "./inspect-object";
import { NotALoraError } from "./lora-header";

/** A processing run that has not finished in this long died with its instance; another may take it. */
export const PROCESSING_LEASE_MS = 10 * 60_000;

/** Where a ready adapter's bytes live: under its project, so a handover that leaves it behind moves it visibly. */
export function adapterObjectKey(projectId: string, adapterId: string, format: Adapter["format"]): string {
  return `projects/${projectId}/adapters/${adapterId}.${format === "zip" ? "zip" : "safetensors"}`;
}

const inFlight = new Map<string, Promise<void>>();

/**
 * Take a finished upload to ready or error: the server's own SHA-256 of the
 * stored bytes against the one the browser declared, then the header (and
 * adapter_config.json for an archive), then the object filed under its key.
 * Any failure leaves an error with a reason, removes the bytes and releases
 * the storage — never a half-stored adapter that reads as ready.
 */
export async function processAdapter(db: Db, storage: Storage, { adapterId }: { adapterId: string }): Promise<Adapter | null> {
  // Claim it: fresh ("processing" just set) or a dead run's lease expired.
  const [claimed] = await db
    .update(adapters)
    .set({ updatedAt: new Date(Date.now() + PROCESSING_LEASE_MS) })
    .where(and(eq(adapters.id, adapterId), eq(adapters.status, "processing"), sql`${adapters.updatedAt} <= now()`))
    .returning();
  if (!claimed?.uploadId) return null;
  const uploadKey = storage.uploadKey(claimed.uploadId);
  try {
    const stat = await storage.objects.stat(uploadKey);
    if (!stat || stat.size !== claimed.sizeBytes) {
      throw new NotALoraError(`The upload arrived incomplete (${stat?.size ?? 0} of ${claimed.sizeBytes} bytes). Upload it again.`);
    }
    const actual = await sha256Of(storage.objects, uploadKey);
    if (actual !== claimed.sha256) {
      throw new NotALoraError(
        `The file changed on the way: the server computed SHA-256 ${actual.slice(0, 12)}…, but your browser computed ${claimed.sha256.slice(0, 12)}…. Nothing was kept; upload it again.`,
      );
    }
    const facts = claimed.format === "zip" ? await inspectZipObject(storage.objects, uploadKey, stat.size) : await inspectSafetensorsObject(storage.objects, uploadKey, stat.size);
    const key = adapterObjectKey(claimed.projectId, claimed.id, claimed.format);
    await storage.objects.move(uploadKey, key);
    await storage.forgetUpload(claimed.uploadId);
    const [ready] = await db
      .update(adapters)
      .set({
        status: "ready",
        error: null,
        objectKey: key,
        storedIn: storage.objects.describe(key),
        uploadId: null,
        rank: facts.rank,
        alpha: facts.alpha,
        targetModules: facts.targetModules,
        tensorCount: facts.tensorCount,
        baseModel: facts.baseModel ?? claimed.baseModel,
        updatedAt: new Date(),
      })
      .where(and(eq(adapters.id, claimed.id), eq(adapters.status, "processing")))
      .returning();
    // Deleted while we worked: the object we just filed belongs to nobody.
    if (!ready) await storage.objects.remove(key);
    return ready ?? null;
  } catch (error) {
    const reason = error instanceof NotALoraError ? error.message : "Processing failed on the server. Upload the file again; if it keeps failing, tell the operator.";
    if (!(error instanceof NotALoraError)) console.error("[arbor] adapter processing failed", error);
    const failed = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(adapters)
        .set({ status: "error", error: reason, uploadId: null, updatedAt: new Date() })
        .where(and(eq(adapters.id, claimed.id), eq(adapters.status, "processing")))
        .returning();
      if (row) await releaseStorage(tx, { projectId: row.projectId, bytes: row.sizeBytes });
      return row;
    });
    await storage.forgetUpload(claimed.uploadId);
    return failed ?? null;
  }
}

/** Start processing now, in this instance, without making the upload's last request wait for it. */
export function kickAdapterProcessing(db: Db, storage: Storage, adapterId: string): Promise<void> {
  const running = inFlight.get(adapterId);
  if (running) return running;
  const run = processAdapter(db, storage, { adapterId })
    .then(() => undefined)
    .catch((error) => console.error("[arbor] adapter processing crashed", error))
    .finally(() => inFlight.delete(adapterId));
  inFlight.set(adapterId, run);
  return run;
}

/** The worker: uploads finished but not processed (a kick lost to a restart, a dead run's lease). */
export async function processPendingAdapters(db: Db, storage: Storage): Promise<number> {
  const pending = await db
    .select({ id: adapters.id })
    .from(adapters)
    .where(and(eq(adapters.status, "processing"), sql`${adapters.updatedAt} <= now()`))
    .limit(5);
  for (const row of pending) await kickAdapterProcessing(db, storage, row.id);
  return pending.length;
}

/** What tests and benchmarks await instead of sleeping (docs/architecture.md: "done"). */
export async function adapterProcessingDone(): Promise<void> {
  while (inFlight.size > 0) await Promise.all([...inFlight.values()]);
}
