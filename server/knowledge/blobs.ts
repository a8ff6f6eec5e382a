import "server-only";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Store bytes under their SHA-256; the same bytes are stored once, whoever adds them.
 * Bytes travel as base64 text that the database decodes: binding a bytea
 * parameter is slow on PGlite (2 MB took 1.5 s of the event loop here, as
 * base64 0.14 s), and PGlite runs on the web process's own thread.
 */
export async function putBlob(db: Db, { bytes, mime }: { bytes: Uint8Array; mime: string }): Promise<string> {
  const sha256 = sha256Hex(bytes);
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  await db.execute(
    sql`insert into blobs (sha256, size, mime, bytes) values (${sha256}, ${bytes.length}, ${mime}, decode(${base64}, 'base64'))
        on conflict (sha256) do nothing`,
  );
  return sha256;
}

/** The bytes of a blob, read as base64 for the same reason (2 MB: 0.44 s as bytea, 0.11 s as base64). */
export async function readBlob(db: Db, { sha256 }: { sha256: string }): Promise<Uint8Array | null> {
  const [row] = await queryRows<{ base64: string }>(db, sql`select encode(bytes, 'base64') as base64 from blobs where sha256 = ${sha256} limit 1`);
  return row ? new Uint8Array(Buffer.from(row.base64, "base64")) : null;
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
