import "server-only";
import { Readable } from "node:stream";
import type { Db } from "@/db/client";
import { AppError } from "@/server/errors";
import { requireProjectRole } from "@/server/projects/access";
import type { ByteRange } from "@/server/storage/object-store";
import type { Storage } from "@/server/storage/store";
import { adapters } from "@/db/schema";
import { eq } from "drizzle-orm";

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range (what download managers and `curl -r` send); null = the whole file. */
export function parseRange(header: string | null, size: number): ByteRange | null | "unsatisfiable" {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges, or another unit: answering with the whole file is allowed by RFC 9110.
  if (!match) return null;
  const [, a = "", b = ""] = match;
  if (a === "" && b === "") return "unsatisfiable";
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

/**
 * GET /api/adapters/<id>/download: any member (the registry is theirs to
 * read) gets the stored bytes, whole or a range, streamed from the object
 * store; the ETag is the verified SHA-256.
 */
export async function downloadAdapter(db: Db, storage: Storage, { adapterId, userId, range }: { adapterId: string; userId: string; range: string | null }): Promise<Response> {
  const [row] = await db.select().from(adapters).where(eq(adapters.id, adapterId));
  if (!row) throw new AppError("not_found:adapter", "This adapter does not exist.");
  await requireProjectRole(db, { projectId: row.projectId, userId, minimum: "viewer" });
  if (row.status !== "ready" || !row.objectKey) throw new AppError("conflict:adapter_not_ready", "This adapter is not ready, so there is nothing to download yet.");
  const size = row.sizeBytes;
  const wanted = parseRange(range, size);
  const headers: Record<string, string> = {
    "Accept-Ranges": "bytes",
    "Content-Type": row.format === "zip" ? "application/zip" : "application/octet-stream",
    "Content-Disposition": `attachment; filename="${row.fileName.replace(/["\\\r\n]/g, "_")}"`,
    ETag: `"${row.sha256}"`,
    "Cache-Control": "private, no-store",
  };
  if (wanted === "unsatisfiable") return new Response(null, { status: 416, headers: { ...headers, "Content-Range": `bytes */${size}` } });
  const body = await storage.objects.read(row.objectKey, wanted ?? undefined);
  const stream = Readable.toWeb(body) as ReadableStream<Uint8Array>;
  if (!wanted) return new Response(stream, { status: 200, headers: { ...headers, "Content-Length": String(size) } });
  return new Response(stream, {
    status: 206,
    headers: { ...headers, "Content-Length": String(wanted.end - wanted.start + 1), "Content-Range": `bytes ${wanted.start}-${wanted.end}/${size}` },
  });
}
