import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "@/db/client";
import { chunks, projects, sources } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { makeDocx } from "@/testing/documents/make-docx";
import { makePdf } from "@/testing/documents/make-pdf";
import { FILE_CAP_BYTES } from "./limits";
import { claimNextSource, processPendingSources } from "./process";
import { retrieveChunks } from "./retrieve";
import { addPastedText, addUploadedFile, addUrlSource, deleteSource, getSourceView, listSources, retrySource } from "./sources";
import { assertRoomFor, storageOf } from "./storage";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const utf8 = (s: string) => new TextEncoder().encode(s);

async function counts(projectId: string) {
  const [row] = await queryRows<{ blobs: number; chunks: number; sources: number }>(
    database.db,
    sql`select (select count(*) from blobs)::int as blobs,
               (select count(*) from chunks where project_id = ${projectId})::int as chunks,
               (select count(*) from sources where project_id = ${projectId})::int as sources`,
  );
  return row ?? { blobs: -1, chunks: -1, sources: -1 };
}

async function orphanBlobs() {
  const rows = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from blobs b where not exists
        (select 1 from sources s where s.original_sha256 = b.sha256 or s.extracted_sha256 = b.sha256)`,
  );
  return rows[0]?.n;
}

describe("ingest", () => {
  it("processes uploads of every kind to ready, searchable sources with summary and keywords", async () => {
    const { project, owner } = await makeProject(database.db);
    const base = { projectId: project.id, userId: owner.id };
    await addUploadedFile(database.db, { ...base, filename: "orchard.pdf", bytes: makePdf([["Espalier pear trees need winter pruning."]]) });
    await addUploadedFile(database.db, {
      ...base,
      filename: "bees.docx",
      bytes: await makeDocx([{ heading: "Hives" }, { text: "Bumblebees pollinate tomatoes by buzzing." }]),
    });
    await addUploadedFile(database.db, { ...base, filename: "page.html", bytes: utf8("<h1>Frost</h1><p>Frost dates matter.</p><script>alert(1)</script>") });
    await addUploadedFile(database.db, { ...base, filename: "varieties.csv", bytes: utf8("name,colour\nBramley,green\nGala,red") });
    await addPastedText(database.db, { ...base, title: "Compost note", text: "Compost heaps need turning. Compost loves greens and browns." });
    expect((await listSources(database.db, { projectId: project.id })).every((s) => s.status === "processing")).toBe(true);

    expect(await processPendingSources(database.db)).toBe(5);
    const list = await listSources(database.db, { projectId: project.id });
    expect(list.map((s) => [s.title, s.status, s.error])).toEqual(
      expect.arrayContaining([
        ["orchard.pdf", "ready", null],
        ["bees.docx", "ready", null],
        ["page.html", "ready", null],
        ["varieties.csv", "ready", null],
        ["Compost note", "ready", null],
      ]),
    );
    expect(list.every((s) => s.chunkCount >= 1 && s.addedByName)).toBe(true);
    const note = list.find((s) => s.title === "Compost note");
    expect(note?.summary).toBe("Compost heaps need turning. Compost loves greens and browns.");
    expect(note?.keywords[0]).toBe("compost");

    for (const [q, title] of [
      ["pruning espalier", "orchard.pdf"],
      ["bumblebees", "bees.docx"],
      ["frost dates", "page.html"],
      ["Bramley", "varieties.csv"],
      ["turning compost", "Compost note"],
    ] as const) {
      const [hit] = await retrieveChunks(database.db, { projectId: project.id, query: q });
      expect(hit?.sourceTitle, q).toBe(title);
    }
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "alert" })).toEqual([]);

    const html = list.find((s) => s.title === "page.html");
    const view = await getSourceView(database.db, { projectId: project.id, sourceId: html?.id ?? "" });
    expect(view.text).toBe("# Frost\n\nFrost dates matter.");
    expect(view.chunks[0]).toMatchObject({ ordinal: 0, startOffset: 0, endOffset: view.text?.length });
  });

  it("stores the same bytes once (within and across projects)", async () => {
    const a = await makeProject(database.db);
    const b = await makeProject(database.db);
    const bytes = utf8(`Dedupe me ${Math.random()}`);
    const before = await counts(a.project.id);
    const first = await addUploadedFile(database.db, { projectId: a.project.id, userId: a.owner.id, filename: "one.txt", bytes });
    const again = await addUploadedFile(database.db, { projectId: a.project.id, userId: a.owner.id, filename: "copy.txt", bytes });
    expect(again.duplicate).toBe(true);
    expect(again.source.id).toBe(first.source.id);
    await addUploadedFile(database.db, { projectId: b.project.id, userId: b.owner.id, filename: "theirs.txt", bytes });
    const after = await counts(a.project.id);
    expect(after.blobs - before.blobs).toBe(1);
    expect(after.sources).toBe(1);
    expect((await storageOf(database.db, { projectId: a.project.id })).usedBytes).toBe(bytes.length);
    expect((await storageOf(database.db, { projectId: b.project.id })).usedBytes).toBe(bytes.length);

    // deleting in one project keeps the blob the other still uses
    await deleteSource(database.db, { projectId: a.project.id, sourceId: first.source.id, actorId: a.owner.id });
    expect((await counts(a.project.id)).blobs).toBe(after.blobs);
    expect((await storageOf(database.db, { projectId: a.project.id })).usedBytes).toBe(0);
  });

  it("enforces the per-file cap and the project quota before keeping bytes", async () => {
    const { project, owner } = await makeProject(database.db);
    await expect(assertRoomFor(database.db, { projectId: project.id, bytes: FILE_CAP_BYTES + 1, name: "big.pdf" })).rejects.toMatchObject({
      code: "too_large:file_size",
      message: expect.stringMatching(/big\.pdf is 25\.0 MB; the limit per file is 25\.0 MB/),
    });
    await database.db.update(projects).set({ storageQuotaBytes: 100 }).where(eq(projects.id, project.id));
    await addUploadedFile(database.db, { projectId: project.id, userId: owner.id, filename: "a.txt", bytes: utf8("x".repeat(60)) });
    const blobsBefore = (await counts(project.id)).blobs;
    await expect(
      addUploadedFile(database.db, { projectId: project.id, userId: owner.id, filename: "b.txt", bytes: utf8("y".repeat(60)) }),
    ).rejects.toMatchObject({ code: "too_large:storage", message: expect.stringMatching(/uses 60 B of its 100 B storage, 40 B left/) });
    expect((await counts(project.id)).blobs).toBe(blobsBefore);
    expect((await storageOf(database.db, { projectId: project.id })).usedBytes).toBe(60);
    await expect(assertRoomFor(database.db, { projectId: project.id, bytes: 41 })).rejects.toMatchObject({ code: "too_large:storage" });
    await assertRoomFor(database.db, { projectId: project.id, bytes: 40 });
  });

  it("concurrent uploads cannot overshoot the quota together", async () => {
    const { project, owner } = await makeProject(database.db);
    await database.db.update(projects).set({ storageQuotaBytes: 100 }).where(eq(projects.id, project.id));
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        addUploadedFile(database.db, { projectId: project.id, userId: owner.id, filename: `c${i}.txt`, bytes: utf8(`${i}`.padEnd(30, "x")) }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(results.filter((r) => r.status === "rejected").every((r) => /does not fit/.test(String((r as PromiseRejectedResult).reason)))).toBe(true);
    expect((await storageOf(database.db, { projectId: project.id })).usedBytes).toBe(90);
    expect((await counts(project.id)).sources).toBe(3);
  });

  it("fetches a link in the worker: charged, stored, titled and indexed", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<html><head><title>Cider guide</title><script>steal()</script></head><body><h1>Cider</h1><p>Bittersweet apples make cider.</p></body></html>");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { project, owner } = await makeProject(database.db);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cider`;
      const [source] = await database.db.insert(sources).values({ projectId: project.id, title: "pending", mediaType: "text/html", origin: "url", url, addedBy: owner.id }).returning();
      // the test server is on loopback, which the real policy refuses; let exactly that address through
      await processPendingSources(database.db, { fetch: { policy: (address) => (address === "127.0.0.1" ? null : "not allowed") } });
      const [row] = await database.db.select().from(sources).where(eq(sources.id, source?.id ?? ""));
      expect(row).toMatchObject({ status: "ready", title: "Cider guide", mediaType: "text/html", chunkCount: 1 });
      expect((await storageOf(database.db, { projectId: project.id })).usedBytes).toBe(row?.sizeBytes);
      const [hit] = await retrieveChunks(database.db, { projectId: project.id, query: "bittersweet cider" });
      expect(hit?.text).toBe("# Cider\n\nBittersweet apples make cider.");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("rejects bad input up front: empty file, unknown type", async () => {
    const { project, owner } = await makeProject(database.db);
    await expect(addUploadedFile(database.db, { projectId: project.id, userId: owner.id, filename: "empty.txt", bytes: new Uint8Array() })).rejects.toMatchObject({
      code: "bad_request:empty_file",
    });
    await expect(addUploadedFile(database.db, { projectId: project.id, userId: owner.id, filename: "tool.exe", bytes: utf8("MZ") })).rejects.toMatchObject({
      code: "bad_request:file_type",
    });
    await expect(addPastedText(database.db, { projectId: project.id, userId: owner.id, title: " ", text: "x" })).rejects.toMatchObject({ code: "bad_request:title" });
    expect((await counts(project.id)).sources).toBe(0);
  });

  it("fails corrupt and binary files with a reason, no chunks, and retries them", async () => {
    const { project, owner } = await makeProject(database.db);
    const pdf = await addUploadedFile(database.db, { projectId: project.id, userId: owner.id, filename: "broken.pdf", bytes: utf8("%PDF-1.7\n garbage garbage") });
    const bin = await addUploadedFile(database.db, { projectId: project.id, userId: owner.id, filename: "photo.txt", bytes: new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2, 3]) });
    await processPendingSources(database.db);
    const list = await listSources(database.db, { projectId: project.id });
    expect(list.find((s) => s.id === pdf.source.id)).toMatchObject({ status: "failed", error: expect.stringMatching(/PDF/) });
    expect(list.find((s) => s.id === bin.source.id)).toMatchObject({ status: "failed", error: expect.stringMatching(/binary/) });
    expect((await counts(project.id)).chunks).toBe(0);
    const [row] = await database.db.select().from(sources).where(eq(sources.id, pdf.source.id));
    expect(row?.extractedSha256).toBeNull();

    await expect(retrySource(database.db, { projectId: project.id, sourceId: pdf.source.id })).resolves.toMatchObject({ status: "processing", error: null });
    await expect(retrySource(database.db, { projectId: project.id, sourceId: pdf.source.id })).rejects.toMatchObject({ code: "conflict:source" });
    await processPendingSources(database.db);
    expect((await listSources(database.db, { projectId: project.id })).find((s) => s.id === pdf.source.id)?.status).toBe("failed");

    for (const s of [pdf, bin]) await deleteSource(database.db, { projectId: project.id, sourceId: s.source.id, actorId: owner.id });
    expect(await orphanBlobs()).toBe(0);
    expect((await storageOf(database.db, { projectId: project.id })).usedBytes).toBe(0);
  });

  it("deletes a ready source completely and at once", async () => {
    const { project, owner } = await makeProject(database.db);
    const { source } = await addPastedText(database.db, { projectId: project.id, userId: owner.id, title: "Gone soon", text: "Medlars are bletted before eating." });
    await processPendingSources(database.db);
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "medlars" })).toHaveLength(1);
    await deleteSource(database.db, { projectId: project.id, sourceId: source.id, actorId: owner.id });
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "medlars" })).toEqual([]);
    expect(await counts(project.id)).toMatchObject({ chunks: 0, sources: 0 });
    expect(await orphanBlobs()).toBe(0);
    await expect(deleteSource(database.db, { projectId: project.id, sourceId: source.id, actorId: owner.id })).rejects.toMatchObject({ code: "not_found:source" });
  });

  it("refuses links to loopback and metadata addresses before storing anything", async () => {
    const { project, owner } = await makeProject(database.db);
    for (const url of ["http://127.0.0.1:3100/api/health", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "file:///etc/passwd", "http://localhost/"]) {
      await expect(addUrlSource(database.db, { projectId: project.id, userId: owner.id, url })).rejects.toMatchObject({ code: "bad_request:url" });
    }
    await expect(addUrlSource(database.db, { projectId: project.id, userId: owner.id, url: "http://169.254.169.254/" })).rejects.toThrow(
      /169\.254\.169\.254: it is a link-local address/,
    );
    expect(await counts(project.id)).toMatchObject({ sources: 0, chunks: 0 });
  });

  it("a link that turns private by fetch time fails with the reason and stores nothing", async () => {
    const { project, owner } = await makeProject(database.db);
    const blobsBefore = (await counts(project.id)).blobs;
    const [source] = await database.db
      .insert(sources)
      .values({ projectId: project.id, title: "rebound", mediaType: "text/html", origin: "url", url: "http://169.254.169.254/latest/", addedBy: owner.id })
      .returning();
    await processPendingSources(database.db);
    const [row] = await database.db.select().from(sources).where(eq(sources.id, source?.id ?? ""));
    expect(row).toMatchObject({ status: "failed", error: expect.stringMatching(/169\.254\.169\.254: it is a link-local address/), originalSha256: null });
    expect(await counts(project.id)).toMatchObject({ chunks: 0, blobs: blobsBefore });
    expect((await storageOf(database.db, { projectId: project.id })).usedBytes).toBe(0);
  });

  it("a worker claims each source once, and a source deleted mid-processing leaves nothing", async () => {
    const { project, owner } = await makeProject(database.db);
    const { source } = await addPastedText(database.db, { projectId: project.id, userId: owner.id, title: "Race", text: "Loquats ripen in spring." });
    const claimed = await claimNextSource(database.db);
    expect(claimed?.id).toBe(source.id);
    expect(await claimNextSource(database.db)).toBeNull();
    await deleteSource(database.db, { projectId: project.id, sourceId: source.id, actorId: owner.id });
    const { processSource } = await import("./process");
    if (claimed) await processSource(database.db, { source: claimed });
    expect(await counts(project.id)).toMatchObject({ chunks: 0, sources: 0 });
    expect(await orphanBlobs()).toBe(0);
    expect(await database.db.select().from(chunks).where(eq(chunks.sourceId, source.id))).toEqual([]);
  });
});
