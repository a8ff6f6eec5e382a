import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Adapter, adapters, agents, chats, type ProjectSettings, projects } from "@/db/schema";
import type { Storage } from "@/server/storage/store";
import { adapterObjectKey } from "./process";

/** An adapter whose object must follow it to its new project once the transaction has committed. */
export type MovedObject = { adapterId: string; from: string; to: string };

/**
 * A handover without its adapters: they stay with the previous owner, in the
 * project they keep. In the caller's transaction: the rows change project,
 * the storage they hold moves from one quota to the other, and no chat, agent
 * or project setting of the handed-over project points at them any more.
 * The objects move after commit (relocateAdapterObjects), each row switching
 * key only once its object is there, so a crash leaves every key readable.
 */
export async function moveAdaptersToProject(tx: Db, { fromProjectId, toProjectId }: { fromProjectId: string; toProjectId: string }): Promise<MovedObject[]> {
  const moved: Adapter[] = await tx.update(adapters).set({ projectId: toProjectId, updatedAt: new Date() }).where(eq(adapters.projectId, fromProjectId)).returning();
  if (moved.length === 0) return [];
  const ids = moved.map((a) => a.id);
  // Failed uploads gave their storage back when they failed.
  const bytes = moved.filter((a) => a.status !== "error").reduce((sum, a) => sum + a.sizeBytes, 0);
  if (bytes > 0) {
    await tx.update(projects).set({ storageUsedBytes: sql`greatest(${projects.storageUsedBytes} - ${bytes}, 0)` }).where(eq(projects.id, fromProjectId));
    await tx.update(projects).set({ storageUsedBytes: sql`${projects.storageUsedBytes} + ${bytes}` }).where(eq(projects.id, toProjectId));
  }
  await tx.update(chats).set({ adapterId: null }).where(and(eq(chats.projectId, fromProjectId), inArray(chats.adapterId, ids)));
  await tx.update(agents).set({ adapterId: null }).where(and(eq(agents.projectId, fromProjectId), inArray(agents.adapterId, ids)));
  const [project] = await tx.select({ settings: projects.settings }).from(projects).where(eq(projects.id, fromProjectId));
  if (project?.settings.adapterId && ids.includes(project.settings.adapterId)) {
    const settings: ProjectSettings = { ...project.settings, adapterId: null };
    await tx.update(projects).set({ settings }).where(eq(projects.id, fromProjectId));
  }
  return moved
    .filter((a): a is Adapter & { objectKey: string } => a.status === "ready" && Boolean(a.objectKey))
    .map((a) => ({ adapterId: a.id, from: a.objectKey, to: adapterObjectKey(toProjectId, a.id, a.format) }));
}

export async function relocateAdapterObjects(db: Db, storage: Storage, moves: MovedObject[]): Promise<void> {
  for (const move of moves) {
    try {
      await storage.objects.move(move.from, move.to);
      await db
        .update(adapters)
        .set({ objectKey: move.to, storedIn: storage.objects.describe(move.to), updatedAt: new Date() })
        .where(and(eq(adapters.id, move.adapterId), eq(adapters.objectKey, move.from)));
    } catch (error) {
      // The row still names the old key, whose object is still there: the adapter keeps working from where it was.
      console.error("[arbor] could not move an adapter's object after a handover", move, error);
    }
  }
}
