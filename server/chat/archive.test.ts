import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeProject } from "@/testing/fixtures";
import { createChat, listChats } from "./chats";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe("archiving a chat", () => {
  it("hides it from the list as archived, keeps it whole and readable, and brings it back; editors only", async () => {
    const { owner, project, members } = await makeProject(database.db, ["editor", "commenter"]);
    const chat = await createChat(database.db, { projectId: project.id, by: owner.id, title: "Old plan" });
    const before = (await listChats(database.db, { projectId: project.id }))[0];
    const editor = createCaller(contextFor(database.db, members.editor ?? null));
    await editor.chat.setArchived({ projectId: project.id, chatId: chat.id, archived: true });
    const archived = (await listChats(database.db, { projectId: project.id }))[0];
    expect(archived?.archivedAt).toBeInstanceOf(Date);
    // not news: the list order is kept
    expect(archived?.updatedAt.getTime()).toBe(before?.updatedAt.getTime());
    expect((await editor.chat.thread({ projectId: project.id, chatId: chat.id })).chat.title).toBe("Old plan");
    await expect(createCaller(contextFor(database.db, members.commenter ?? null)).chat.setArchived({ projectId: project.id, chatId: chat.id, archived: false })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const other = await makeProject(database.db);
    await expect(createCaller(contextFor(database.db, other.owner)).chat.setArchived({ projectId: other.project.id, chatId: chat.id, archived: false })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await editor.chat.setArchived({ projectId: project.id, chatId: chat.id, archived: false });
    expect((await listChats(database.db, { projectId: project.id }))[0]?.archivedAt).toBeNull();
  });
});
