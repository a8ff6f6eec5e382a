import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { createCaller } from "./_app";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe("projects router", () => {
  it("rejects anonymous callers", async () => {
    await expect(createCaller(contextFor(database.db, null)).projects.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("creates, lists, renames, archives and deletes with the typed name", async () => {
    const me = await makeUser(database.db);
    const api = createCaller(contextFor(database.db, me));
    const p = await api.projects.create({ title: "  Garden  " });
    expect(p.title).toBe("Garden");
    expect((await api.projects.list()).map((x) => [x.title, x.role])).toEqual([["Garden", "owner"]]);
    await api.projects.rename({ projectId: p.id, title: "Orchard" });
    await api.projects.setArchived({ projectId: p.id, archived: true });
    expect((await api.projects.get({ projectId: p.id })).project.status).toBe("archived");
    await expect(api.projects.delete({ projectId: p.id, confirmTitle: "Garden" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await api.projects.delete({ projectId: p.id, confirmTitle: "Orchard" });
    expect(await api.projects.list()).toEqual([]);
  });

  it("returns per-field messages for bad input", async () => {
    const me = await makeUser(database.db);
    const api = createCaller(contextFor(database.db, me));
    await expect(api.projects.create({ title: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("hides other people's projects (NOT_FOUND) and enforces roles (FORBIDDEN)", async () => {
    const { project, members } = await makeProject(database.db, ["editor"]);
    const stranger = await makeUser(database.db);
    await expect(createCaller(contextFor(database.db, stranger)).projects.get({ projectId: project.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const editor = createCaller(contextFor(database.db, members.editor ?? null));
    expect((await editor.projects.get({ projectId: project.id })).role).toBe("editor");
    await expect(editor.projects.delete({ projectId: project.id, confirmTitle: "Test project" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(editor.projects.get({ projectId: "not-a-uuid" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
