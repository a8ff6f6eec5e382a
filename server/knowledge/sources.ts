import "server-only";
import { and, asc, desc, eq, ne, type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chunks, type Source, sources, users } from "@/db/schema";
import { recordActivity } from "@/server/activity/record";
import { AppError } from "@/server/errors";
import { deleteOrphanBlobs, putBlob, readBlob, sha256Hex } from "./blobs";
import { vetUrl } from "./fetch-url";
import { ExtractionError } from "./extraction-error";
import { PASTE_CAP_CHARS } from "./limits";
import { mediaTypeForFilename } from "./media-type";
import { chargeStorage, releaseStorage } from "./storage";

export type AddResult = { source: Source; duplicate: boolean };

/**
 * Keep the original bytes and a `processing` source row; the worker does the
 * rest. Quota is charged in the same transaction. The same bytes already in
 * this project are not added twice: the existing source is returned. The
 * unique index decides (insert … on conflict do nothing), not a look first,
 * so two uploads of one file at the same moment still store it once.
 */
async function storeOriginal(
  db: Db,
  args: { projectId: string; userId: string; title: string; mediaType: string; origin: "upload" | "paste"; bytes: Uint8Array },
): Promise<AddResult> {
  if (args.bytes.length === 0) throw new AppError("bad_request:empty_file", `“${args.title}” is empty (0 bytes), so there is nothing to add.`);
  const sha = sha256Hex(args.bytes);
  return db.transaction(async (tx) => {
    await putBlob(tx, { bytes: args.bytes, mime: args.mediaType });
    const [source] = await tx
      .insert(sources)
      .values({
        projectId: args.projectId,
        title: args.title,
        mediaType: args.mediaType,
        origin: args.origin,
        originalSha256: sha,
        sizeBytes: args.bytes.length,
        addedBy: args.userId,
      })
      .onConflictDoNothing({ target: [sources.projectId, sources.originalSha256], where: sql`${sources.origin} <> 'url'` })
      .returning();
    if (!source) return { source: await existingSource(tx, and(eq(sources.originalSha256, sha), ne(sources.origin, "url")), args.projectId), duplicate: true };
    await chargeStorage(tx, { projectId: args.projectId, bytes: args.bytes.length, name: `“${args.title}”` });
    await recordActivity(tx, {
      projectId: args.projectId,
      actorId: args.userId,
      verb: "added_source",
      targetKind: "source",
      targetId: source.id,
      detail: { title: source.title, origin: source.origin },
    });
    return { source, duplicate: false };
  });
}

/** The row an insert just lost to (it committed first, so this statement sees it). */
async function existingSource(db: Db, match: SQL | undefined, projectId: string): Promise<Source> {
  const [existing] = await db
    .select()
    .from(sources)
    .where(and(eq(sources.projectId, projectId), match))
    .limit(1);
  if (!existing) throw new Error("a conflicting source vanished before it could be read");
  return existing;
}

export function cleanTitle(title: string): string {
  return title.replace(/[\u0000-\u001f\u007f]/g, " ").replace(/\s+/g, " ").trim().slice(0, 200);
}

export async function addUploadedFile(
  db: Db,
  args: { projectId: string; userId: string; filename: string; bytes: Uint8Array },
): Promise<AddResult> {
  const title = cleanTitle(args.filename.split(/[\\/]/).pop() ?? "") || "Untitled file";
  const mediaType = mediaTypeForFilename(title);
  return storeOriginal(db, { projectId: args.projectId, userId: args.userId, title, mediaType, origin: "upload", bytes: args.bytes });
}

export async function addPastedText(db: Db, args: { projectId: string; userId: string; title: string; text: string }): Promise<AddResult> {
  const title = cleanTitle(args.title);
  if (!title) throw new AppError("bad_request:title", "Give the note a title.");
  if (!args.text.trim()) throw new AppError("bad_request:empty_text", "Paste some text first.");
  if (args.text.length > PASTE_CAP_CHARS) {
    throw new AppError("bad_request:too_long", `Pasted text is limited to ${PASTE_CAP_CHARS.toLocaleString("en")} characters; upload it as a file instead.`);
  }
  // Pasted notes are read as markdown, so "# Heading" lines give them structure.
  const bytes = new TextEncoder().encode(args.text);
  return storeOriginal(db, { projectId: args.projectId, userId: args.userId, title, mediaType: "text/markdown", origin: "paste", bytes });
}

/** Vet the URL now (so 127.0.0.1 is refused at once); the worker fetches it, vetting every hop again. */
export async function addUrlSource(db: Db, args: { projectId: string; userId: string; url: string }): Promise<AddResult> {
  let url: URL;
  try {
    ({ url } = await vetUrl(args.url));
  } catch (error) {
    if (error instanceof ExtractionError) throw new AppError("bad_request:url", error.message);
    throw error;
  }
  const href = url.toString();
  return db.transaction(async (tx) => {
    const [source] = await tx
      .insert(sources)
      .values({ projectId: args.projectId, title: cleanTitle(`${url.hostname}${url.pathname === "/" ? "" : url.pathname}`), mediaType: "text/html", origin: "url", url: href, addedBy: args.userId })
      .onConflictDoNothing({ target: [sources.projectId, sources.url], where: sql`${sources.origin} = 'url'` })
      .returning();
    if (!source) return { source: await existingSource(tx, and(eq(sources.url, href), eq(sources.origin, "url")), args.projectId), duplicate: true };
    await recordActivity(tx, { projectId: args.projectId, actorId: args.userId, verb: "added_source", targetKind: "source", targetId: source.id, detail: { title: source.title, origin: "url" } });
    return { source, duplicate: false };
  });
}

/** Gone from retrieval at once: chunks cascade, blobs no other source uses are deleted, storage is given back. */
export async function deleteSource(db: Db, args: { projectId: string; sourceId: string; actorId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const [source] = await tx
      .delete(sources)
      .where(and(eq(sources.id, args.sourceId), eq(sources.projectId, args.projectId)))
      .returning();
    if (!source) throw new AppError("not_found:source", "This source does not exist (it may have been deleted already).");
    await releaseStorage(tx, { projectId: args.projectId, bytes: Number(source.sizeBytes) });
    await deleteOrphanBlobs(tx, { candidates: [source.originalSha256, source.extractedSha256] });
    await recordActivity(tx, { projectId: args.projectId, actorId: args.actorId, verb: "deleted_source", targetKind: "source", targetId: source.id, detail: { title: source.title } });
  });
}

/** A failed source goes back to the queue with a fresh attempt count. */
export async function retrySource(db: Db, args: { projectId: string; sourceId: string }): Promise<Source> {
  const [source] = await db
    .update(sources)
    .set({ status: "processing", error: null, attempts: 0, leaseUntil: null, updatedAt: new Date() })
    .where(and(eq(sources.id, args.sourceId), eq(sources.projectId, args.projectId), eq(sources.status, "failed")))
    .returning();
  if (!source) throw new AppError("conflict:source", "Only a source that failed can be retried.");
  return source;
}

export type SourceListItem = Pick<
  Source,
  "id" | "title" | "mediaType" | "origin" | "url" | "sizeBytes" | "summary" | "keywords" | "status" | "error" | "chunkCount" | "createdAt" | "processedAt"
> & { addedByName: string | null };

export async function listSources(db: Db, { projectId, onlySourceId }: { projectId: string; onlySourceId?: string }): Promise<SourceListItem[]> {
  const rows = await db
    .select({
      id: sources.id,
      title: sources.title,
      mediaType: sources.mediaType,
      origin: sources.origin,
      url: sources.url,
      sizeBytes: sources.sizeBytes,
      summary: sources.summary,
      keywords: sources.keywords,
      status: sources.status,
      error: sources.error,
      chunkCount: sources.chunkCount,
      createdAt: sources.createdAt,
      processedAt: sources.processedAt,
      addedByName: sql<string | null>`coalesce(${users.name}, ${users.email})`,
    })
    .from(sources)
    .leftJoin(users, eq(users.id, sources.addedBy))
    .where(and(eq(sources.projectId, projectId), onlySourceId ? eq(sources.id, onlySourceId) : undefined))
    .orderBy(desc(sources.createdAt), desc(sources.id));
  return rows.map((r) => ({ ...r, sizeBytes: Number(r.sizeBytes) }));
}

export type SourceView = {
  source: SourceListItem;
  text: string | null;
  chunks: { id: string; ordinal: number; heading: string | null; startOffset: number; endOffset: number }[];
};

/** The viewer shows only extracted text (never the original HTML), with each chunk's offsets for highlighting. */
export async function getSourceView(db: Db, args: { projectId: string; sourceId: string }): Promise<SourceView> {
  const list = await db
    .select({ id: sources.id, extractedSha256: sources.extractedSha256 })
    .from(sources)
    .where(and(eq(sources.id, args.sourceId), eq(sources.projectId, args.projectId)))
    .limit(1);
  const row = list[0];
  if (!row) throw new AppError("not_found:source", "This source does not exist in this project (it may have been deleted).");
  const [source] = await listSources(db, { projectId: args.projectId, onlySourceId: row.id });
  if (!source) throw new AppError("not_found:source", "This source does not exist in this project (it may have been deleted).");
  const bytes = row.extractedSha256 ? await readBlob(db, { sha256: row.extractedSha256 }) : null;
  const chunkRows = await db
    .select({ id: chunks.id, ordinal: chunks.ordinal, heading: chunks.heading, startOffset: chunks.startOffset, endOffset: chunks.endOffset })
    .from(chunks)
    .where(eq(chunks.sourceId, row.id))
    .orderBy(asc(chunks.ordinal));
  return { source, text: bytes ? new TextDecoder().decode(bytes) : null, chunks: chunkRows };
}
