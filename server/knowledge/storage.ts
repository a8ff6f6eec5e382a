import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { projects } from "@/db/schema";
import { AppError } from "@/server/errors";
import { formatBytes } from "@/lib/bytes";
import { FILE_CAP_BYTES } from "./limits";

export type StorageUse = { usedBytes: number; quotaBytes: number; fileCapBytes: number };

export async function storageOf(db: Db, { projectId }: { projectId: string }): Promise<StorageUse> {
  const [row] = await db
    .select({ usedBytes: projects.storageUsedBytes, quotaBytes: projects.storageQuotaBytes })
    .from(projects)
    .where(eq(projects.id, projectId))
    .limit(1);
  if (!row) throw new AppError("not_found:project", "This project does not exist.");
  return { usedBytes: Number(row.usedBytes), quotaBytes: Number(row.quotaBytes), fileCapBytes: FILE_CAP_BYTES };
}

function quotaMessage(name: string, bytes: number, use: StorageUse): string {
  const left = Math.max(0, use.quotaBytes - use.usedBytes);
  return `${name} (${formatBytes(bytes)}) does not fit: this project uses ${formatBytes(use.usedBytes)} of its ${formatBytes(use.quotaBytes)} storage, ${formatBytes(left)} left. Delete sources you no longer need, or ask the owner for more space.`;
}

/** Cheap check before any bytes are read (Content-Length, pasted text): the per-file cap and the room left. */
export async function assertRoomFor(db: Db, { projectId, bytes, name = "This file" }: { projectId: string; bytes: number; name?: string }): Promise<void> {
  if (bytes > FILE_CAP_BYTES) {
    throw new AppError("too_large:file_size", `${name} is ${formatBytes(bytes)}; the limit per file is ${formatBytes(FILE_CAP_BYTES)}.`);
  }
  const use = await storageOf(db, { projectId });
  if (use.usedBytes + bytes > use.quotaBytes) throw new AppError("too_large:storage", quotaMessage(name, bytes, use));
}

/**
 * Reserve `bytes` of the project's quota in the caller's transaction. One
 * conditional UPDATE, so concurrent uploads cannot overshoot the quota together.
 */
export async function chargeStorage(db: Db, { projectId, bytes, name = "This file" }: { projectId: string; bytes: number; name?: string }): Promise<void> {
  if (bytes > FILE_CAP_BYTES) {
    throw new AppError("too_large:file_size", `${name} is ${formatBytes(bytes)}; the limit per file is ${formatBytes(FILE_CAP_BYTES)}.`);
  }
  const updated = await db
    .update(projects)
    .set({ storageUsedBytes: sql`${projects.storageUsedBytes} + ${bytes}` })
    .where(and(eq(projects.id, projectId), sql`${projects.storageUsedBytes} + ${bytes} <= ${projects.storageQuotaBytes}`))
    .returning({ id: projects.id });
  if (updated.length === 0) throw new AppError("too_large:storage", quotaMessage(name, bytes, await storageOf(db, { projectId })));
}

export async function releaseStorage(db: Db, { projectId, bytes }: { projectId: string; bytes: number }): Promise<void> {
  if (bytes <= 0) return;
  await db
    .update(projects)
    .set({ storageUsedBytes: sql`greatest(0, ${projects.storageUsedBytes} - ${bytes})` })
    .where(eq(projects.id, projectId));
}
