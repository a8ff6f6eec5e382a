import { eq } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { accountExports, branches, messages } from "@/db/schema";
import { createChat } from "@/server/chat/chats";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { buildPendingExports, downloadExport, requestExport } from "./export";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

async function ownerWithChat() {
  const db = database.db;
  const { owner, project, members } = await makeProject(db, ["editor"]);
  const chat = await createChat(db, { projectId: project.id, by: owner.id, title: "Tomato beds" });
  const [branch] = await db.select().from(branches).where(eq(branches.chatId, chat.id));
  const [q] = await db.insert(messages).values({ chatId: chat.id, role: "user", content: "How deep should a raised bed be?", authorId: owner.id }).returning();
  const [a] = await db.insert(messages).values({ chatId: chat.id, parentId: q?.id, role: "assistant", content: "About 30 cm for tomatoes." }).returning();
  if (!branch || !a) throw new Error("setup");
  await db.update(branches).set({ tipMessageId: a.id }).where(eq(branches.id, branch.id));
  return { owner, project, chat, editor: members.editor };
}

const urlParts = (url: string) => {
  const u = new URL(url, "http://x");
  return { exportId: u.pathname.split("/").pop() ?? "", token: u.searchParams.get("token") ?? "" };
};

describe("data export", () => {
  it("builds in the background with progress into one zip: the chat as a tree and its branch as Markdown", async () => {
    const { owner, chat } = await ownerWithChat();
    const api = createCaller(contextFor(database.db, owner));
    const queued = await api.account.requestExport();
    expect(queued).toMatchObject({ status: "queued", progress: 0 });
    // asking again while one is open returns the same one
    expect((await api.account.requestExport()).id).toBe(queued.id);
    let built = 0;
    for (let i = 0; i < 5 && built === 0; i++) built += await buildPendingExports(database.db);
    const ready = await api.account.latestExport();
    expect(ready).toMatchObject({ id: queued.id, status: "ready", progress: 100 });
    expect(ready?.expiresAt?.getTime()).toBeGreaterThan(Date.now());

    const { url } = await api.account.exportDownloadLink({ exportId: queued.id });
    const zip = await downloadExport(database.db, { userId: owner.id, ...urlParts(url) });
    const files = unzipSync(zip);
    const names = Object.keys(files);
    const md = names.find((n) => n.includes(`chats/Tomato-beds-${chat.id.slice(0, 8)}/branches/`) && n.endsWith(".md"));
    expect(md).toBeTruthy();
    expect(strFromU8(files[md ?? ""] ?? new Uint8Array())).toContain("About 30 cm for tomatoes.");
    const tree = names.find((n) => n.endsWith("/tree.json"));
    expect(JSON.parse(strFromU8(files[tree ?? ""] ?? new Uint8Array())).messages).toHaveLength(2);
    for (const part of ["arbor-export/account.json", "arbor-export/usage.json", "arbor-export/README.txt"]) expect(names).toContain(part);
    expect(names.some((n) => n.endsWith("/canvas.json"))).toBe(true);
    expect(names.some((n) => n.endsWith("/comments.json"))).toBe(true);
    expect(names.some((n) => n.endsWith("/knowledge/sources.json"))).toBe(true);
  });

  it("only the owner downloads, with the link's token, before it expires; the token is stored hashed", async () => {
    const { owner, editor } = await ownerWithChat();
    if (!editor) throw new Error("no editor");
    const exp = await requestExport(database.db, { userId: owner.id });
    while ((await buildPendingExports(database.db)) > 0) {}
    const { url } = await createCaller(contextFor(database.db, owner)).account.exportDownloadLink({ exportId: exp.id });
    const { exportId, token } = urlParts(url);
    const [row] = await database.db.select().from(accountExports).where(eq(accountExports.id, exportId));
    expect(row?.downloadTokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.downloadTokenHash).not.toContain(token);

    await expect(downloadExport(database.db, { userId: editor.id, exportId, token })).rejects.toMatchObject({ code: "not_found:export" });
    await expect(createCaller(contextFor(database.db, editor)).account.exportDownloadLink({ exportId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(downloadExport(database.db, { userId: owner.id, exportId, token: `${token}x` })).rejects.toMatchObject({ code: "not_found:export" });
    expect((await downloadExport(database.db, { userId: owner.id, exportId, token })).byteLength).toBeGreaterThan(100);

    await database.db.update(accountExports).set({ downloadTokenExpiresAt: new Date(Date.now() - 1000) }).where(eq(accountExports.id, exportId));
    await expect(downloadExport(database.db, { userId: owner.id, exportId, token })).rejects.toMatchObject({ code: "not_found:export" });

    // an expired export is dropped by the worker
    await database.db.update(accountExports).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(accountExports.id, exportId));
    await buildPendingExports(database.db);
    expect(await database.db.select().from(accountExports).where(eq(accountExports.id, exportId))).toEqual([]);
  });

  it("a stranger's account holds nothing of another person's projects", async () => {
    const { project } = await ownerWithChat();
    const stranger = await makeUser(database.db);
    const exp = await requestExport(database.db, { userId: stranger.id });
    while ((await buildPendingExports(database.db)) > 0) {}
    const { url } = await createCaller(contextFor(database.db, stranger)).account.exportDownloadLink({ exportId: exp.id });
    const files = unzipSync(await downloadExport(database.db, { userId: stranger.id, ...urlParts(url) }));
    expect(Object.keys(files).some((n) => n.includes(project.id.slice(0, 8)))).toBe(false);
  });
});
