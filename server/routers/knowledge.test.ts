import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { createTestDatabase } from "@/testing/database";
import { processingDone } from "@/server/knowledge/process";
import { contextFor, makeProject } from "@/testing/fixtures";
import { createCaller } from "./_app";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await processingDone();
  await database.close();
});

describe("knowledge router", () => {
  it("pastes, processes at once, lists, searches with highlights, views, deletes", async () => {
    const { project, owner, members } = await makeProject(database.db, ["viewer"]);
    const api = createCaller(contextFor(database.db, owner));
    const input = { projectId: project.id };
    const { sourceId } = await api.knowledge.paste({ ...input, title: "Pruning", text: "# Pruning\n\nPrune apple trees in late winter, before buds break." });
    await processingDone();
    const list = await api.knowledge.list(input);
    expect(list.canEdit).toBe(true);
    expect(list.sources).toMatchObject([{ id: sourceId, title: "Pruning", status: "ready", chunkCount: 1, origin: "paste" }]);
    expect(list.storage.usedBytes).toBeGreaterThan(0);
    expect(list.storage.quotaBytes).toBe(1_073_741_824);

    const viewer = createCaller(contextFor(database.db, members.viewer ?? null));
    expect((await viewer.knowledge.list(input)).canEdit).toBe(false);
    const hits = await viewer.knowledge.search({ ...input, query: "when should I prune apple trees?" });
    expect(hits[0]).toMatchObject({ sourceId, sourceTitle: "Pruning" });
    expect(hits[0]?.snippet).toContainEqual({ text: "apple", highlight: true });
    expect(hits[0]?.snippet.map((p) => p.text).join("")).toContain("Prune apple trees in late winter");
    const view = await viewer.knowledge.source({ ...input, sourceId });
    expect(view.text).toContain("late winter");
    await expect(viewer.knowledge.delete({ ...input, sourceId })).rejects.toMatchObject({ code: "FORBIDDEN" });

    await api.knowledge.delete({ ...input, sourceId });
    expect(await api.knowledge.search({ ...input, query: "apple" })).toEqual([]);
    await expect(api.knowledge.source({ ...input, sourceId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses private links and other projects' sources", async () => {
    const { project, owner } = await makeProject(database.db);
    const other = await makeProject(database.db);
    const api = createCaller(contextFor(database.db, owner));
    await expect(api.knowledge.fetchUrl({ projectId: project.id, url: "http://169.254.169.254/latest/meta-data/" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/link-local/),
    });
    const theirs = await createCaller(contextFor(database.db, other.owner)).knowledge.paste({ projectId: other.project.id, title: "Theirs", text: "Secret plums." });
    await processingDone();
    await expect(api.knowledge.source({ projectId: project.id, sourceId: theirs.sourceId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api.knowledge.delete({ projectId: project.id, sourceId: theirs.sourceId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await api.knowledge.search({ projectId: project.id, query: "plums" })).toEqual([]);
  });
});
