import "server-only";
import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { blobs } from "@/db/schema";

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Store bytes under their SHA-256; the same bytes are stored once, whoever adds them. */
export async function putBlob(db: Db, { bytes, mime }: { bytes: Uint8Array; mime: string }): Promise<string> {
  const sha256 = sha256Hex(bytes);
  await db.insert(blobs).values({ sha256, size: bytes.length, mime, bytes }).onConflictDoNothing({ target: blobs.sha256 });
  return sha256;
}

export async function readBlob(db: Db, { sha256 }: { sha256: string }): Promise<Uint8Array | null> {
  const [row] = await db.select({ bytes: blobs.bytes }).from(blobs).where(eq(blobs.sha256, sha256)).limit(1);
  return row ? new Uint8Array(row.bytes) : null;
}

/** Delete those of the given blobs that no source refers to any more (after a source is deleted). */
export async function deleteOrphanBlobs(db: Db, { candidates }: { candidates: (string | null)[] }): Promise<number> {
  const shas = [...new Set(candidates.filter((s): s is string => Boolean(s)))];
  if (shas.length === 0) return 0;
  const rows = await queryRows<{ sha256: string }>(
    db,
    sql`delete from blobs b
        where b.sha256 in (select jsonb_array_elements_text(${JSON.stringify(shas)}::jsonb))
          and not exists (select 1 from sources s where s.original_sha256 = b.sha256 or s.extracted_sha256 = b.sha256)
        returning b.sha256`,
  );
  return rows.length;
}
