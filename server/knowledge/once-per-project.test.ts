import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "@/db/client";
import { blobs, projects, sources } from "@/db/schema";
import { deleteProject } from "@/server/projects/service";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { sha256Hex } from "./blobs";
import { addPastedText, addUploadedFile, addUrlSource } from "./sources";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const used = async (projectId: string) => (await database.db.select({ n: projects.storageUsedBytes }).from(projects).where(eq(projects.id, projectId)))[0]?.n;
const blobExists = async (sha: string) => (await database.db.select({ sha: blobs.sha256 }).from(blobs).where(eq(blobs.sha256, sha))).length === 1;

describe("a source is stored once per project", () => {
  it("concurrent uploads of the same bytes make one source and charge the quota once", async () => {
    const { owner, project } = await makeProject(database.db);
    const bytes = new TextEncoder().encode("# Quince\n\nQuinces need a long warm season.");
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => addUploadedFile(database.db, { projectId: project.id, userId: owner.id, filename: `quince-${i}.md`, bytes })),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.source.id)).size).toBe(1);
    expect(await database.db.select().from(sources).where(eq(sources.projectId, project.id))).toHaveLength(1);
    expect(await used(project.id)).toBe(bytes.length);
  });

  it("concurrent adds of the same link make one source", async () => {
    const { owner, project } = await makeProject(database.db);
    const url = "http://93.184.215.14/orchard-notes";
    const results = await Promise.all(Array.from({ length: 6 }, () => addUrlSource(database.db, { projectId: project.id, userId: owner.id, url })));
    expect(new Set(results.map((r) => r.source.id)).size).toBe(1);
    expect(await database.db.select().from(sources).where(eq(sources.projectId, project.id))).toHaveLength(1);
  });

  it("the same bytes in two projects are two sources over one blob", async () => {
    const a = await makeProject(database.db);
    const b = await makeProject(database.db);
    const text = "Medlars are eaten bletted.";
    await addPastedText(database.db, { projectId: a.project.id, userId: a.owner.id, title: "Medlar", text });
    const again = await addPastedText(database.db, { projectId: b.project.id, userId: b.owner.id, title: "Medlar", text });
    expect(again.duplicate).toBe(false);
  });
});

describe("deleting a project", () => {
  it("deletes the bytes only it used and keeps those another project still uses", async () => {
    const mine = await makeProject(database.db);
    const theirs = await makeProject(database.db);
    const only = "Only this project knows about the loquat.";
    const shared = "Both projects know about the mulberry.";
    await addPastedText(database.db, { projectId: mine.project.id, userId: mine.owner.id, title: "Loquat", text: only });
    await addPastedText(database.db, { projectId: mine.project.id, userId: mine.owner.id, title: "Mulberry", text: shared });
    await addPastedText(database.db, { projectId: theirs.project.id, userId: theirs.owner.id, title: "Mulberry", text: shared });
    const [onlySha, sharedSha] = [only, shared].map((t) => sha256Hex(new TextEncoder().encode(t)));
    if (!onlySha || !sharedSha) throw new Error("no hashes");
    // An extracted copy counts as the project's bytes too.
    const extractedSha = sha256Hex(new TextEncoder().encode("extracted loquat text"));
    await database.db.insert(blobs).values({ sha256: extractedSha, size: 21, mime: "text/plain", bytes: new TextEncoder().encode("extracted loquat text") });
    await database.db.update(sources).set({ extractedSha256: extractedSha }).where(sql`${sources.projectId} = ${mine.project.id} and ${sources.title} = 'Loquat'`);

    await deleteProject(database.db, { projectId: mine.project.id, confirmTitle: mine.project.title });
    expect(await blobExists(onlySha)).toBe(false);
    expect(await blobExists(extractedSha)).toBe(false);
    expect(await blobExists(sharedSha)).toBe(true);
    const left = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from sources where project_id = ${mine.project.id}`);
    expect(left[0]?.n).toBe(0);
    expect(await database.db.select().from(sources).where(inArray(sources.projectId, [theirs.project.id]))).toHaveLength(1);
  });
});
