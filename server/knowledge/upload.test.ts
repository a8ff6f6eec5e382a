import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "@/db/client";
import { projects } from "@/db/schema";
import { statusOf } from "@/lib/errors";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { FILE_CAP_BYTES } from "./limits";
import { processingDone } from "./process";
import { listSources } from "./sources";
import { handleUpload } from "./upload";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await processingDone();
  await database.close();
});

function formRequest(files: { name: string; body: string }[], headers: Record<string, string> = {}) {
  const form = new FormData();
  for (const f of files) form.append("file", new File([f.body], f.name));
  const encoded = new Request("http://x/api/knowledge/upload", { method: "POST", body: form });
  return new Request(encoded.url, { method: "POST", body: encoded.body, headers: { "content-type": encoded.headers.get("content-type") ?? "", ...headers }, duplex: "half" } as RequestInit);
}

const blobCount = async () => (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from blobs`))[0]?.n;

describe("handleUpload", () => {
  it("stores several files for an editor and processes them", async () => {
    const { project, members } = await makeProject(database.db, ["editor"]);
    const editor = members.editor;
    if (!editor) throw new Error("no editor");
    const outcomes = await handleUpload(database.db, {
      projectId: project.id,
      userId: editor.id,
      request: formRequest([
        { name: "a.md", body: "# Plums\n\nPlums fruit on old wood." },
        { name: "b.csv", body: "tree,age\nplum,4" },
        { name: "c.exe", body: "MZ" },
      ]),
    });
    expect(outcomes.map((o) => [o.name, Boolean(o.sourceId), o.error?.code])).toEqual([
      ["a.md", true, undefined],
      ["b.csv", true, undefined],
      ["c.exe", false, "bad_request:file_type"],
    ]);
    await processingDone();
    expect((await listSources(database.db, { projectId: project.id })).map((s) => s.status)).toEqual(["ready", "ready"]);
  });

  it("refuses viewers and non-members", async () => {
    const { project, members } = await makeProject(database.db, ["viewer"]);
    await expect(
      handleUpload(database.db, { projectId: project.id, userId: members.viewer?.id ?? "", request: formRequest([{ name: "a.txt", body: "hi" }]) }),
    ).rejects.toMatchObject({ code: "forbidden:project" });
  });

  it("refuses an over-cap body by its Content-Length and an over-quota body while streaming, keeping nothing", async () => {
    const { project, owner } = await makeProject(database.db);
    const before = await blobCount();
    await expect(
      handleUpload(database.db, {
        projectId: project.id,
        userId: owner.id,
        request: formRequest([{ name: "a.txt", body: "small" }], { "content-length": String(FILE_CAP_BYTES + 1_000_000) }),
      }),
    ).rejects.toMatchObject({ code: "too_large:file_size" });
    await database.db.update(projects).set({ storageQuotaBytes: 1_000 }).where(eq(projects.id, project.id));
    await expect(
      handleUpload(database.db, { projectId: project.id, userId: owner.id, request: formRequest([{ name: "big.txt", body: "w ".repeat(50_000) }]) }),
    ).rejects.toMatchObject({ code: "too_large:storage", message: expect.stringMatching(/1000 B|1\.0 KB/) });
    // fits in the stream slack but not in the quota: refused per file by the charge
    const [outcome] = await handleUpload(database.db, { projectId: project.id, userId: owner.id, request: formRequest([{ name: "mid.txt", body: "m".repeat(5_000) }]) });
    expect(outcome?.error?.code).toBe("too_large:storage");
    // what POST /api/knowledge/upload answers: the code's kind gives the status
    expect(statusOf(outcome?.error?.code)).toBe(413);
    expect(await blobCount()).toBe(before);
    expect(await listSources(database.db, { projectId: project.id })).toEqual([]);
  });

  it("rejects a request that is not multipart or has no file", async () => {
    const { project, owner } = await makeProject(database.db);
    const json = new Request("http://x/", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    await expect(handleUpload(database.db, { projectId: project.id, userId: owner.id, request: json })).rejects.toMatchObject({ code: "bad_request:content_type" });
    const form = new FormData();
    form.append("note", "no file here");
    await expect(
      handleUpload(database.db, { projectId: project.id, userId: owner.id, request: new Request("http://x/", { method: "POST", body: form }) }),
    ).rejects.toMatchObject({ code: "bad_request:no_file" });
  });
});
