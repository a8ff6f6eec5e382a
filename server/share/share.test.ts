import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Db } from "@/db/client";
import { branches, chats, messages, rateLimits, shareLinks } from "@/db/schema";
import { forkBranch } from "@/server/chat/branches";
import { createChat } from "@/server/chat/chats";
import { readPath } from "@/server/chat/tree";
import { createCaller } from "@/server/routers/_app";
import { createProject } from "@/server/projects/service";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { createShareLink, listShareLinks, revokeShareLink, viewShareLink } from "./links";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

async function say(db: Db, chatId: string, parentId: string | null, role: "user" | "assistant", content: string, status: "complete" | "streaming" = "complete") {
  const [m] = await db.insert(messages).values({ chatId, parentId, role, content, status }).returning();
  if (!m) throw new Error("no message");
  return m;
}

async function sharedChat() {
  const db = database.db;
  const { owner, project, members } = await makeProject(db, ["editor", "viewer"]);
  const chat = await createChat(db, { projectId: project.id, by: owner.id, title: "Orchard" });
  const q1 = await say(db, chat.id, null, "user", "When to prune apples?");
  const a1 = await say(db, chat.id, q1.id, "assistant", "In late winter.");
  await db.update(branches).set({ tipMessageId: a1.id }).where(eq(branches.id, chat.mainBranchId));
  const fork = await forkBranch(db, { projectId: project.id, chatId: chat.id, messageId: q1.id, by: owner.id, title: "Summer" });
  const a2 = await say(db, chat.id, q1.id, "assistant", "Summer pruning slows growth.");
  await db.update(branches).set({ tipMessageId: a2.id }).where(eq(branches.id, fork.id));
  return { owner, project, members, chat, q1, a1, a2, fork };
}

let address = 0;
const ip = () => `10.0.${Math.floor(address / 250)}.${(address++ % 250) + 1}`;
const tokenOf = (url: string) => url.split("/share/")[1] ?? "";

describe("share links", () => {
  it("a live branch share follows new messages, an answer being written included; a snapshot stays as it was", async () => {
    const { owner, project, chat, q1, a1 } = await sharedChat();
    const live = await createShareLink(database.db, { projectId: project.id, chatId: chat.id, branchId: chat.mainBranchId, mode: "live", by: owner.id });
    const snap = await createShareLink(database.db, { projectId: project.id, chatId: chat.id, branchId: chat.mainBranchId, mode: "snapshot", by: owner.id });
    const contents = async (url: string) => (await viewShareLink(database.db, { token: tokenOf(url), ip: ip() })).messages.map((m) => m.content);
    expect(await contents(live.url)).toEqual(["When to prune apples?", "In late winter."]);
    // the branch only: the sibling answer on "Summer" is not part of it
    expect(await contents(live.url)).not.toContain("Summer pruning slows growth.");

    const q2 = await say(database.db, chat.id, a1.id, "user", "And pears?");
    const a3 = await say(database.db, chat.id, q2.id, "assistant", "Pears the", "streaming");
    await database.db.update(branches).set({ tipMessageId: a3.id }).where(eq(branches.id, chat.mainBranchId));
    const during = await viewShareLink(database.db, { token: tokenOf(live.url), ip: ip() });
    expect(during.streaming).toBe(true);
    expect(during.messages.map((m) => m.content)).toEqual(["When to prune apples?", "In late winter.", "And pears?", "Pears the"]);
    await database.db.update(messages).set({ content: "Pears the same way.", status: "complete" }).where(eq(messages.id, a3.id));
    expect((await contents(live.url)).at(-1)).toBe("Pears the same way.");
    expect(await contents(snap.url)).toEqual(["When to prune apples?", "In late winter."]);
    expect(q1.id).toBeTruthy();
  });

  it("a whole-tree share carries every branch, and its tip is the chat's current line", async () => {
    const { owner, project, chat, a2 } = await sharedChat();
    const { url } = await createShareLink(database.db, { projectId: project.id, chatId: chat.id, mode: "live", by: owner.id });
    const view = await viewShareLink(database.db, { token: tokenOf(url), ip: ip() });
    expect(view.scope).toBe("tree");
    expect(view.messages.map((m) => m.content).sort()).toEqual(["In late winter.", "Summer pruning slows growth.", "When to prune apples?"]);
    expect(view.tipId).toBe(a2.id); // "Summer" moved last
  });

  it("stores only the token's hash; ended and expired links are refused and say so", async () => {
    const { owner, project, chat } = await sharedChat();
    const { url, link } = await createShareLink(database.db, { projectId: project.id, chatId: chat.id, mode: "live", expiresInDays: 7, by: owner.id });
    const token = tokenOf(url);
    const [row] = await database.db.select().from(shareLinks).where(eq(shareLinks.id, link.id));
    expect(row?.tokenHash).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(link.tokenHint).toBe(`…${token.slice(-4)}`);

    await database.db.update(shareLinks).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(shareLinks.id, link.id));
    await expect(viewShareLink(database.db, { token, ip: ip() })).rejects.toMatchObject({ code: "gone:share_expired" });
    await database.db.update(shareLinks).set({ expiresAt: null }).where(eq(shareLinks.id, link.id));
    await revokeShareLink(database.db, { projectId: project.id, linkId: link.id, by: owner.id, role: "owner" });
    await expect(viewShareLink(database.db, { token, ip: ip() })).rejects.toMatchObject({ code: "gone:share_revoked" });
    expect(await listShareLinks(database.db, { projectId: project.id, viewerId: owner.id, role: "owner" })).toEqual([]);
  });

  it("guesses are rate limited by address: past the limit even a real link is refused from there", async () => {
    const { owner, project, chat } = await sharedChat();
    const { url } = await createShareLink(database.db, { projectId: project.id, chatId: chat.id, mode: "live", by: owner.id });
    const guesser = ip();
    for (let i = 0; i < 20; i++) {
      await expect(viewShareLink(database.db, { token: `${"x".repeat(42)}${i % 10}`, ip: guesser })).rejects.toMatchObject({ code: "not_found:share_link" });
    }
    await expect(viewShareLink(database.db, { token: "nope", ip: guesser })).rejects.toMatchObject({ code: "rate_limited:token" });
    await expect(viewShareLink(database.db, { token: tokenOf(url), ip: guesser })).rejects.toMatchObject({ code: "rate_limited:token" });
    // another address is not affected, and real links never count
    for (let i = 0; i < 25; i++) await viewShareLink(database.db, { token: tokenOf(url), ip: "10.9.9.9" });
    await database.db.delete(rateLimits).where(eq(rateLimits.key, `share-token:${guesser}`));
  });

  it("the owner sees and ends every link; an editor only their own; a viewer cannot share", async () => {
    const { owner, project, members, chat } = await sharedChat();
    const editor = members.editor;
    const viewer = members.viewer;
    if (!editor || !viewer) throw new Error("members missing");
    const asEditor = createCaller(contextFor(database.db, editor));
    const asOwner = createCaller(contextFor(database.db, owner));
    const mine = await asEditor.share.create({ projectId: project.id, chatId: chat.id, mode: "snapshot" });
    const ownerLink = await asOwner.share.create({ projectId: project.id, chatId: chat.id, branchId: chat.mainBranchId, mode: "live" });
    expect((await asEditor.share.list({ projectId: project.id })).map((l) => l.id)).toEqual([mine.link.id]);
    expect((await asOwner.share.list({ projectId: project.id })).map((l) => l.id).sort()).toEqual([mine.link.id, ownerLink.link.id].sort());
    await expect(asEditor.share.revoke({ projectId: project.id, linkId: ownerLink.link.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await asOwner.share.revoke({ projectId: project.id, linkId: mine.link.id });
    await expect(createCaller(contextFor(database.db, viewer)).share.create({ projectId: project.id, chatId: chat.id, mode: "live" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // a chat or branch of another project is not found
    const other = await sharedChat();
    await expect(asOwner.share.create({ projectId: project.id, chatId: other.chat.id, mode: "live" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asOwner.share.create({ projectId: project.id, chatId: chat.id, branchId: other.chat.mainBranchId, mode: "live" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // anyone can read by link, signed out
    expect((await createCaller(contextFor(database.db, null)).share.view({ token: tokenOf(ownerLink.url) })).chatTitle).toBe("Orchard");
  });

  it("continue as a copy: the shared line becomes a new chat in one's own project, branches kept for a tree", async () => {
    const { owner, project, chat, a1 } = await sharedChat();
    const { url } = await createShareLink(database.db, { projectId: project.id, chatId: chat.id, mode: "live", by: owner.id });
    const reader = await makeUser(database.db);
    const theirs = await createProject(database.db, { ownerId: reader.id, title: "Mine" });
    const copy = await createCaller(contextFor(database.db, reader)).share.copy({ projectId: theirs.id, token: tokenOf(url), tipId: a1.id });
    const [made] = await database.db.select().from(chats).where(eq(chats.id, copy.chatId));
    expect(made).toMatchObject({ projectId: theirs.id, title: "Orchard (copy)" });
    const [main] = await database.db.select().from(branches).where(eq(branches.chatId, copy.chatId));
    const line = await readPath(database.db, { chatId: copy.chatId, tipMessageId: main?.tipMessageId ?? null });
    expect(line.map((m) => m.content)).toEqual(["When to prune apples?", "In late winter."]);
    expect(await database.db.$count(messages, eq(messages.chatId, copy.chatId))).toBe(3);
    // not into a project where one may only read
    await expect(createCaller(contextFor(database.db, reader)).share.copy({ projectId: project.id, token: tokenOf(url) })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(createCaller(contextFor(database.db, null)).share.copy({ projectId: theirs.id, token: tokenOf(url) })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
