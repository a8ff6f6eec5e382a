-- Before the unique indexes: sources the old look-then-insert let in twice (racing uploads) are
-- merged into the oldest copy, and the storage the extra copy was charged is given back.
WITH "ranked" AS (
  SELECT "id", "project_id", "size_bytes",
         row_number() OVER (PARTITION BY "project_id", CASE WHEN "origin" = 'url' THEN 'url:' || "url" ELSE 'bytes:' || "original_sha256" END
                            ORDER BY "created_at", "id") AS "n"
  FROM "sources"
  WHERE ("origin" = 'url' AND "url" IS NOT NULL) OR ("origin" <> 'url' AND "original_sha256" IS NOT NULL)
), "extra" AS (
  SELECT "id", "project_id", "size_bytes" FROM "ranked" WHERE "n" > 1
), "released" AS (
  UPDATE "projects" SET "storage_used_bytes" = greatest(0, "projects"."storage_used_bytes" - "freed"."bytes")
  FROM (SELECT "project_id", sum("size_bytes") AS "bytes" FROM "extra" GROUP BY "project_id") AS "freed"
  WHERE "projects"."id" = "freed"."project_id"
)
DELETE FROM "sources" WHERE "id" IN (SELECT "id" FROM "extra");--> statement-breakpoint
CREATE UNIQUE INDEX "sources_project_bytes_idx" ON "sources" USING btree ("project_id","original_sha256") WHERE "sources"."origin" <> 'url';--> statement-breakpoint
CREATE UNIQUE INDEX "sources_project_url_idx" ON "sources" USING btree ("project_id","url") WHERE "sources"."origin" = 'url';--> statement-breakpoint
-- Bytes no source refers to any more (left behind by project deletions before they cleaned up).
DELETE FROM "blobs" WHERE NOT EXISTS (SELECT 1 FROM "sources" WHERE "sources"."original_sha256" = "blobs"."sha256" OR "sources"."extracted_sha256" = "blobs"."sha256");
