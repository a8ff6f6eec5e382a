import "server-only";
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Adapter, adapters, users } from "@/db/schema";
import { recordActivity } from "@/server/activity/record";
import { AppError } from "@/server/errors";
import { releaseStorage } from "@/server/knowledge/storage";
import type { Storage } from "@/server/storage/store";
import { discardUpload } from "./uploads";

/** What the registry page shows: everything but the object key and the tus id. */
export type AdapterView = Omit<Adapter, "objectKey" | "uploadId"> & { uploadedByName: string | null; resumable: boolean };

export async function listAdapters(db: Db, { projectId }: { projectId: string }): Promise<AdapterView[]> {
  const rows = await db
    .select({ adapter: adapters, name: users.name, email: users.email })
    .from(adapters)
    .leftJoin(users, eq(users.id, adapters.uploadedBy))
    .where(eq(adapters.projectId, projectId))
    .orderBy(desc(adapters.createdAt));
  return rows.map(({ adapter: { objectKey: _key, uploadId, ...rest }, name, email }) => ({
    ...rest,
    uploadedByName: name ?? email ?? null,
    resumable: rest.status === "uploading" && Boolean(uploadId),
  }));
}

export async function findAdapter(db: Db, { projectId, adapterId }: { projectId: string; adapterId: string }): Promise<Adapter> {
  const [row] = await db.select().from(adapters).where(and(eq(adapters.id, adapterId), eq(adapters.projectId, projectId)));
  if (!row) throw new AppError("not_found:adapter", "This adapter is not in the project's registry.");
  return row;
}

/** The served name is the project's mapping to its local server (vLLM --lora-modules name=path, llama.cpp --lora). */
export async function updateAdapter(db: Db, { projectId, adapterId, name, servedName }: { projectId: string; adapterId: string; name?: string; servedName?: string }) {
  await findAdapter(db, { projectId, adapterId });
  if (servedName !== undefined && !/^[A-Za-z0-9._:/-]{1,120}$/.test(servedName)) {
    throw new AppError("bad_request:served_name", "A served name may use letters, digits and . _ - : / only (the model name your local server lists).");
  }
  const [row] = await db
    .update(adapters)
    .set({ ...(name !== undefined ? { name } : {}), ...(servedName !== undefined ? { servedName } : {}), updatedAt: new Date() })
    .where(and(eq(adapters.id, adapterId), eq(adapters.projectId, projectId)))
    .returning();
  return row;
}

/**
 * Delete frees the storage: the row and its quota in one transaction, then the
 * object. An upload still arriving is discarded the same way Cancel does.
 */
export async function deleteAdapter(db: Db, storage: Storage, { projectId, adapterId, actorId }: { projectId: string; adapterId: string; actorId: string }) {
  const row = await findAdapter(db, { projectId, adapterId });
  if (row.status === "uploading" && row.uploadId) {
    await discardUpload(db, storage, { uploadId: row.uploadId });
    return;
  }
  const gone = await db.transaction(async (tx) => {
    const [deleted] = await tx.delete(adapters).where(and(eq(adapters.id, adapterId), eq(adapters.projectId, projectId))).returning();
    // An error row already gave its storage back when it failed.
    if (deleted && deleted.status !== "error") await releaseStorage(tx, { projectId, bytes: deleted.sizeBytes });
    if (deleted) await recordActivity(tx, { projectId, actorId, verb: "deleted_adapter", targetKind: "adapter", targetId: deleted.id, detail: { name: deleted.name } });
    return deleted;
  });
  if (gone?.objectKey) await storage.objects.remove(gone.objectKey);
}
