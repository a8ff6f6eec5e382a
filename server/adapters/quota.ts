import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { projects } from "@/db/schema";
import { formatBytes } from "@/lib/bytes";
import { AppError } from "@/server/errors";
import { storageOf } from "@/server/knowledge/storage";

/** The largest adapter accepted (a 70B model's rank-64 LoRA is ~1.6 GB; anything bigger is not an adapter). */
export const ADAPTER_CAP_BYTES = 4 * 1024 * 1024 * 1024;

/**
 * Charge an upload's declared size to the project's storage before any byte
 * is accepted: one conditional UPDATE, so two uploads at once cannot pass the
 * quota together. Knowledge and adapters share the one quota.
 */
export async function chargeAdapterStorage(db: Db, { projectId, bytes, name }: { projectId: string; bytes: number; name: string }): Promise<void> {
  if (bytes > ADAPTER_CAP_BYTES) {
    throw new AppError("too_large:file_size", `${name} is ${formatBytes(bytes)}; an adapter may be at most ${formatBytes(ADAPTER_CAP_BYTES)}.`);
  }
  const updated = await db
    .update(projects)
    .set({ storageUsedBytes: sql`${projects.storageUsedBytes} + ${bytes}` })
    .where(and(eq(projects.id, projectId), sql`${projects.storageUsedBytes} + ${bytes} <= ${projects.storageQuotaBytes}`))
    .returning({ id: projects.id });
  if (updated.length > 0) return;
  const use = await storageOf(db, { projectId });
  const left = Math.max(0, use.quotaBytes - use.usedBytes);
  throw new AppError(
    "too_large:storage",
    `${name} (${formatBytes(bytes)}) does not fit: this project uses ${formatBytes(use.usedBytes)} of its ${formatBytes(use.quotaBytes)} storage, ${formatBytes(left)} left. Delete adapters or sources you no longer need, or ask the owner for more space.`,
  );
}
