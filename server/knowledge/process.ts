import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { chunks, type Source, sources } from "@/db/schema";
import { isAppError } from "@/server/errors";
import { putBlob, readBlob, sha256Hex } from "./blobs";
import { ExtractionError } from "./extraction-error";
import { type FetchOptions, fetchUrl } from "./fetch-url";
import { type ReadLimits, readSourceIsolated } from "./isolated-read";
import { LEASE_SECONDS, MAX_ATTEMPTS } from "./limits";
import { chargeStorage } from "./storage";

/**
 * Chunks are inserted this many per statement, outside any transaction: on
 * PGlite a transaction is exclusive, so one holding a 2-million-character
 * paste's thousand chunks would make every other request wait for it. The
 * source stays `processing` until the last statement, and retrieval reads
 * only `ready` sources, so nobody sees it half indexed. (10 chunks, ~16 KB of
 * text to index, take PGlite ~10 ms here, ~50 ms with both cores busy.)
 */
const CHUNKS_PER_STATEMENT = 10;

/**
 * Claim one source to process. The UPDATE … WHERE id = (SELECT … FOR UPDATE
 * SKIP LOCKED) is atomic, so several workers (or instances) never take the
 * same row; the lease lets another worker take over after a crash.
 */
export async function claimNextSource(db: Db): Promise<Source | null> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`update sources set lease_until = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = attempts + 1
        where id = (
          select id from sources
          where status = 'processing' and (lease_until is null or lease_until < now())
          order by created_at
          limit 1
          for update skip locked
        )
        returning id`,
  );
  const id = rows[0]?.id;
  if (!id) return null;
  const [source] = await db.select().from(sources).where(eq(sources.id, id)).limit(1);
  return source ?? null;
}

/** Fetch (for links), extract, chunk and index one claimed source; ends `ready` or `failed` with a reason. */
export async function processSource(
  db: Db,
  { source: claimed, fetch: fetchOptions, readLimits }: { source: Source; fetch?: FetchOptions; readLimits?: ReadLimits },
): Promise<void> {
  try {
    if (claimed.attempts > MAX_ATTEMPTS) {
      throw new ExtractionError(`Processing was interrupted ${MAX_ATTEMPTS} times; this file may be too complex to read. Retry, or split it.`);
    }
    const source = claimed.origin === "url" && !claimed.originalSha256 ? await fetchInto(db, claimed, fetchOptions) : claimed;
    if (!source) return;
    if (!source.originalSha256) throw new ExtractionError("The original file is missing.");
    const bytes = await readBlob(db, { sha256: source.originalSha256 });
    if (!bytes) throw new ExtractionError("The original file is missing.");
    // Off the event loop, within memory and time limits (isolated-read.ts).
    const read = await readSourceIsolated(bytes, source.mediaType, readLimits);
    const textBytes = new TextEncoder().encode(read.text);
    const still = () => and(eq(sources.id, source.id), eq(sources.status, "processing"));

    const [current] = await db.select({ id: sources.id }).from(sources).where(still()).limit(1);
    if (!current) return;
    const extractedSha = sha256Hex(textBytes);
    // A pasted note or a text file usually is its own extracted text: stored once already.
    if (extractedSha !== source.originalSha256) {
      await putBlob(db, { bytes: textBytes, mime: read.format === "markdown" ? "text/markdown; charset=utf-8" : "text/plain; charset=utf-8" });
    }
    await db.delete(chunks).where(eq(chunks.sourceId, source.id));
    for (let i = 0; i < read.drafts.length; i += CHUNKS_PER_STATEMENT) {
      const batch = read.drafts.slice(i, i + CHUNKS_PER_STATEMENT);
      await db.insert(chunks).values(batch.map((d) => ({ ...d, sourceId: source.id, projectId: source.projectId })));
    }

    await db.transaction(async (tx) => {
      // Lock the row: if it was deleted or reset meanwhile, it does not become ready.
      const [locked] = await tx.select({ id: sources.id }).from(sources).where(still()).for("update").limit(1);
      if (!locked) return;
      await tx
        .update(sources)
        .set({
          status: "ready",
          error: null,
          extractedSha256: extractedSha,
          chunkCount: read.drafts.length,
          summary: read.summary,
          keywords: read.keywords,
          processedAt: new Date(),
          leaseUntil: null,
          updatedAt: new Date(),
        })
        .where(eq(sources.id, source.id));
    });
  } catch (error) {
    const reason =
      error instanceof ExtractionError || isAppError(error)
        ? error.message
        : "Something went wrong while reading this file. Retry it; if it fails again, try another format.";
    if (!(error instanceof ExtractionError) && !isAppError(error)) console.error("[arbor] knowledge processing failed", claimed.id, error);
    await markFailed(db, claimed.id, reason);
  }
}

async function markFailed(db: Db, sourceId: string, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(chunks).where(eq(chunks.sourceId, sourceId));
    await tx
      .update(sources)
      .set({ status: "failed", error: reason, leaseUntil: null, processedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(sources.id, sourceId), eq(sources.status, "processing")));
  });
}

/** Links are fetched by the worker; the bytes are charged to the quota and attached to the source in one transaction. */
async function fetchInto(db: Db, source: Source, options?: FetchOptions): Promise<Source | null> {
  if (!source.url) throw new ExtractionError("This link source has no URL.");
  const fetched = await fetchUrl(source.url, options);
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(sources)
      .where(and(eq(sources.id, source.id), eq(sources.status, "processing")))
      .for("update")
      .limit(1);
    if (!current) return null;
    await chargeStorage(tx, { projectId: source.projectId, bytes: fetched.bytes.length, name: "The fetched page" });
    const sha = await putBlob(tx, { bytes: fetched.bytes, mime: fetched.mediaType });
    const [updated] = await tx
      .update(sources)
      .set({
        originalSha256: sha,
        sizeBytes: fetched.bytes.length,
        mediaType: fetched.mediaType,
        title: fetched.title ?? source.title,
        updatedAt: new Date(),
      })
      .where(eq(sources.id, source.id))
      .returning();
    return updated ?? null;
  });
}

/** Work through the queue (the background worker's body). Returns how many sources were processed. */
export async function processPendingSources(db: Db, options: { max?: number; fetch?: FetchOptions; readLimits?: ReadLimits } = {}): Promise<number> {
  let done = 0;
  const max = options.max ?? 50;
  while (done < max) {
    const claimed = await claimNextSource(db);
    if (!claimed) break;
    await processSource(db, { source: claimed, fetch: options.fetch, readLimits: options.readLimits });
    done++;
  }
  return done;
}

type KickState = { running: Promise<void> | null; again: boolean };
const kick = globalThis as typeof globalThis & { __arborKnowledgeKick?: KickState };

/** Start processing now rather than at the worker's next tick (after an upload); one run at a time per process. */
export function kickProcessing(db: Db): void {
  const state = (kick.__arborKnowledgeKick ??= { running: null, again: false });
  if (state.running) {
    state.again = true;
    return;
  }
  state.running = (async () => {
    do {
      state.again = false;
      try {
        await processPendingSources(db);
      } catch (error) {
        console.error("[arbor] knowledge processing failed", error);
      }
    } while (state.again);
    state.running = null;
  })();
}

/** Resolves when a kicked run has finished (tests wait on it instead of sleeping). */
export async function processingDone(): Promise<void> {
  while (kick.__arborKnowledgeKick?.running) await kick.__arborKnowledgeKick.running;
}
