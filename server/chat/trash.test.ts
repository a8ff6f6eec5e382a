import { asc, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, type Db, queryRows } from "@/db/client";
import { branches, canvasNodes, chatStreams, comments, generationSteps, messageCitations, messageSearch, messages, trashItems } from "@/db/schema";
import { getBoard } from "@/server/canvas/board";
import { getChanges } from "@/server/canvas/changes";
import { addComment } from "@/server/canvas/comments";
import { moveNodes } from "@/server/canvas/nodes";
import { createCaller } from "@/server/routers/_app";
import { searchMessages } from "@/server/search/messages";
import { searchPalette } from "@/server/search/palette";
import { seedForkedChat } from "@/testing/canvas-seed";
import { addSource } from "@/testing/chat-turns";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeProject } from "@/testing/fixtures";
import { newRequestId } from "@/testing/chat-turns";
import { purgeDueTrash, trashChat, trashMessage } from "./trash";
import { prepareTurn } from "./turns";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

/**
 *   u1 ─ a1 ─ u2 ─ a2          Main (tip a2)
 *               └─ a2b         Fork (tip a2b, forked at u2)
 * with a citation and a generation step on a2, a comment on a2b and a stored canvas position for u2.
 */
async function setup() {
  const db = database.db;
  const { owner, project, members } = await makeProject(db, ["viewer", "commenter", "editor"]);
  const seeded = await seedForkedChat(db, { projectId: project.id, authorId: owner.id, title: "Shade garden" });
  const { u2, a2, a2b } = seeded.messages;
  const source = await addSource(db, { projectId: project.id, title: "Shade plants", texts: ["Hellebores flower in late winter."] });
  const [chunk] = await queryRows<{ id: string }>(db, sql`select id from chunks where source_id = ${source.id}`);
  await db.insert(messageCitations).values({ messageId: a2.id, number: 1, chunkId: chunk?.id, sourceId: source.id, relevance: 0.8 });
  await db.insert(generationSteps).values({ messageId: a2.id, kind: "retrieval", detail: { hits: 1 } });
  await addComment(db, { projectId: project.id, actorId: owner.id, targetKey: `m:${a2b.id}`, body: "Check the hosta timing" });
  await moveNodes(db, { projectId: project.id, actorId: owner.id, moves: [{ key: `m:${u2.id}`, x: 420, y: -80 }] });
  const as = (user: { id: string; email: string } | null) => createCaller(contextFor(db, user));
  return { db, owner, project, members, ...seeded, p: { projectId: project.id }, as };
}

/** Everything that hangs off a chat's messages, as rows, to compare before and after. */
async function dump(db: Db, chatId: string) {
  const ids = (await db.select({ id: messages.id }).from(messages).where(eq(messages.chatId, chatId))).map((r) => r.id);
  return {
    messages: await db.select().from(messages).where(eq(messages.chatId, chatId)).orderBy(asc(messages.createdAt)),
    branches: await db.select().from(branches).where(eq(branches.chatId, chatId)).orderBy(asc(branches.createdAt)),
    citations: await db.select().from(messageCitations).where(inArray(messageCitations.messageId, ids)),
    steps: await db.select().from(generationSteps).where(inArray(generationSteps.messageId, ids)),
    comments: await db.select().from(comments).where(inArray(comments.messageId, ids)),
    nodes: await db.select().from(canvasNodes).where(inArray(canvasNodes.ref, ids)),
    search: (await db.select({ id: messageSearch.messageId }).from(messageSearch).where(eq(messageSearch.chatId, chatId))).map((r) => r.id).sort(),
  };
}

describe("the trash", () => {
  it("moves a subtree out of every reader's sight and restores it exactly: branches, citations, comments, canvas, search", async () => {
    const { db, owner, members, chat, messages: m, branches: b, p, as } = await setup();
    const editor = as(members.editor ?? null);
    const viewer = as(members.viewer ?? null);
    const tree = await editor.share.create({ ...p, chatId: chat.id, mode: "live" });
    const snap = await editor.share.create({ ...p, chatId: chat.id, branchId: b.main.id, mode: "snapshot" });
    const before = await dump(db, chat.id);
    expect(before.search).toHaveLength(5);

    const moved = await editor.trash.moveMessage({ ...p, messageId: m.u2.id });
    expect(moved).toMatchObject({ messageCount: 3, hiddenBranchIds: [b.fork.id], branchId: b.main.id });

    // thread and sibling switcher: Main keeps what is above the subtree; the fork born inside it is gone
    const thread = await viewer.chat.thread({ ...p, chatId: chat.id, branchId: b.main.id });
    expect(thread.messages.map((x) => x.id)).toEqual([m.u1.id, m.a1.id]);
    expect(thread.branches.map((x) => x.id)).toEqual([b.main.id]);
    await expect(viewer.chat.thread({ ...p, chatId: chat.id, branchId: b.fork.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(viewer.chat.thread({ ...p, chatId: chat.id, messageId: m.a2.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(viewer.chat.switchSibling({ ...p, chatId: chat.id, branchId: b.main.id, messageId: m.a2b.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // canvas
    const board = await getBoard(db, p);
    expect(board.messages.map((x) => x.id).sort()).toEqual([m.u1.id, m.a1.id].sort());
    expect(board.branches.map((x) => x.id)).toEqual([b.main.id]);
    expect(board.citations).toEqual([]);
    await expect(viewer.canvas.messageText({ ...p, messageId: m.a2.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(as(owner).canvas.addComment({ ...p, targetKey: `m:${m.a2.id}`, body: "hello?" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // search
    expect(await searchMessages(db, { userId: owner.id, projectId: p.projectId, query: "winter" })).toEqual([]);
    expect((await dump(db, chat.id)).search).toEqual([m.u1.id, m.a1.id].sort());
    // exports and the API's other readers
    const exported = await viewer.chat.exportTree({ ...p, chatId: chat.id });
    expect((exported.messages as { id: string }[]).map((x) => x.id).sort()).toEqual([m.u1.id, m.a1.id].sort());
    expect((exported.branches as { id: string }[]).map((x) => x.id)).toEqual([b.main.id]);
    await expect(viewer.chat.details({ ...p, messageId: m.a2.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(as(owner).chat.fork({ ...p, chatId: chat.id, messageId: m.a2.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // share links, live and snapshot
    const token = (url: string) => url.split("/share/")[1] ?? "";
    const anonymous = as(null);
    expect((await anonymous.share.view({ token: token(tree.url) })).messages.map((x) => x.id).sort()).toEqual([m.u1.id, m.a1.id].sort());
    expect((await anonymous.share.view({ token: token(snap.url) })).messages.map((x) => x.id)).toEqual([m.u1.id, m.a1.id]);

    // the trash page says what, who, when and how long
    const [item, ...rest] = await editor.trash.list(p);
    expect(rest).toEqual([]);
    expect(item).toMatchObject({ kind: "message", label: "Which of those flower?", chatTitle: "Shade garden", messageCount: 3, deletedBy: members.editor?.name, daysLeft: 30 });

    const restored = await editor.trash.restore({ ...p, trashId: moved.trashId });
    expect(restored).toMatchObject({ kind: "message", chatId: chat.id, messageId: m.u2.id, messageCount: 3 });
    expect(await dump(db, chat.id)).toEqual(before);
    expect(await editor.trash.list(p)).toEqual([]);
    expect((await searchMessages(db, { userId: owner.id, projectId: p.projectId, query: "winter" })).map((h) => h.messageId).sort()).toEqual([m.a2.id, m.a2b.id].sort());
    expect((await anonymous.share.view({ token: token(snap.url) })).messages).toHaveLength(4);
    expect((await viewer.chat.thread({ ...p, chatId: chat.id, branchId: b.fork.id })).messages.at(-1)?.id).toBe(m.a2b.id);
  });

  it("tells an open board to reload once something went to the trash or came back", async () => {
    const { db, members, messages: m, p, as } = await setup();
    const editor = as(members.editor ?? null);
    const cursor = (await getChanges(db, { ...p, since: new Date(Date.now() - 60_000) })).cursor;
    expect((await getChanges(db, { ...p, since: cursor })).trashMoved).toBe(false);
    const item = await editor.trash.moveMessage({ ...p, messageId: m.a2.id });
    const seen = await getChanges(db, { ...p, since: cursor });
    expect(seen.trashMoved).toBe(true);
    expect((await getChanges(db, { ...p, since: seen.cursor })).trashMoved).toBe(false);
    await editor.trash.restore({ ...p, trashId: item.trashId });
    expect((await getChanges(db, { ...p, since: seen.cursor })).trashMoved).toBe(true);
  });

  it("lets editors and the owner trash and restore, and only the owner delete for good; viewers and commenters are refused", async () => {
    const { members, messages: m, p, as, owner } = await setup();
    for (const role of ["viewer", "commenter"] as const) {
      const caller = as(members[role] ?? null);
      await expect(caller.trash.moveMessage({ ...p, messageId: m.a2.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(caller.trash.list(p)).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const editor = as(members.editor ?? null);
    const item = await editor.trash.moveMessage({ ...p, messageId: m.a2.id });
    for (const role of ["viewer", "commenter"] as const) {
      await expect(as(members[role] ?? null).trash.restore({ ...p, trashId: item.trashId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(editor.trash.deleteForever({ ...p, trashId: item.trashId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // another project's owner finds nothing
    const other = await makeProject(database.db);
    await expect(as(other.owner).trash.restore({ projectId: other.project.id, trashId: item.trashId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await as(owner).trash.deleteForever({ ...p, trashId: item.trashId });
    expect(await database.db.$count(messages, eq(messages.id, m.a2.id))).toBe(0);
  });

  it("removes an item for good after 30 days, with what hung off it, and leaves younger items alone", async () => {
    const { db, members, chat, messages: m, branches: b, p, as } = await setup();
    const editor = as(members.editor ?? null);
    const old = await editor.trash.moveMessage({ ...p, messageId: m.u2.id });
    const young = await editor.trash.moveMessage({ ...p, messageId: m.a1.id });
    await db
      .update(trashItems)
      .set({ deletedAt: new Date(Date.now() - 31 * 86_400_000), purgeAfter: new Date(Date.now() - 86_400_000) })
      .where(eq(trashItems.id, old.trashId));
    expect(await purgeDueTrash(db)).toBe(1);
    expect(await db.$count(messages, inArray(messages.id, [m.u2.id, m.a2.id, m.a2b.id]))).toBe(0);
    expect(await db.$count(branches, eq(branches.id, b.fork.id))).toBe(0);
    expect(await db.$count(comments, eq(comments.projectId, p.projectId))).toBe(0);
    expect(await db.$count(trashItems, eq(trashItems.id, old.trashId))).toBe(0);
    // the younger item is still whole and restorable
    expect((await editor.trash.list(p)).map((i) => i.id)).toEqual([young.trashId]);
    expect(await purgeDueTrash(db)).toBe(0);
    await editor.trash.restore({ ...p, trashId: young.trashId });
    const thread = await editor.chat.thread({ ...p, chatId: chat.id, branchId: b.main.id });
    expect(thread.messages.map((x) => x.id)).toEqual([m.u1.id, m.a1.id]);
  });

  it("refuses to trash a subtree or a chat while an answer in it is being written, with what to do", async () => {
    const { db, owner, members, chat, messages: m, branches: b, p, as } = await setup();
    const editor = as(members.editor ?? null);
    await db.update(messages).set({ status: "streaming" }).where(eq(messages.id, m.a2.id));
    const [stream] = await db
      .insert(chatStreams)
      .values({ requestId: "trash-test", chatId: chat.id, branchId: b.main.id, userMessageId: m.u2.id, assistantMessageId: m.a2.id, startedBy: owner.id })
      .returning();
    const refused = { code: "CONFLICT", message: expect.stringMatching(/still being written.*stop it/) };
    await expect(editor.trash.moveMessage({ ...p, messageId: m.u2.id })).rejects.toMatchObject(refused);
    await expect(editor.trash.moveMessage({ ...p, messageId: m.u1.id })).rejects.toMatchObject(refused);
    await expect(editor.chat.delete({ ...p, chatId: chat.id })).rejects.toMatchObject(refused);
    expect(await editor.trash.list(p)).toEqual([]);
    // a sibling subtree the answer is not part of may go
    await expect(editor.trash.moveMessage({ ...p, messageId: m.a2b.id })).resolves.toMatchObject({ messageCount: 1 });
    await db.update(messages).set({ status: "complete" }).where(eq(messages.id, m.a2.id));
    await db.update(chatStreams).set({ status: "done" }).where(eq(chatStreams.id, stream?.id ?? ""));
    await expect(editor.trash.moveMessage({ ...p, messageId: m.u2.id })).resolves.toMatchObject({ messageCount: 2 });
  });

  it("trashes a whole chat (gone from the list, search, palette and shares) and keeps nested items separate", async () => {
    const { db, owner, members, chat, messages: m, branches: b, p, as } = await setup();
    const editor = as(members.editor ?? null);
    const link = await editor.share.create({ ...p, chatId: chat.id, mode: "live" });
    const inner = await editor.trash.moveMessage({ ...p, messageId: m.a2b.id });
    const whole = await editor.chat.delete({ ...p, chatId: chat.id });
    expect(whole.messageCount).toBe(4);
    expect(await editor.chat.list(p)).toEqual([]);
    await expect(editor.chat.thread({ ...p, chatId: chat.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await searchMessages(db, { userId: owner.id, projectId: p.projectId, query: "shade" })).toEqual([]);
    expect((await searchPalette(db, { userId: owner.id, projectId: p.projectId, query: "Shade" })).chats).toEqual([]);
    expect((await getBoard(db, p)).chats).toEqual([]);
    await expect(as(null).share.view({ token: link.url.split("/share/")[1] ?? "" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // the subtree trashed before cannot come back into a chat that is itself in the trash
    await expect(editor.trash.restore({ ...p, trashId: inner.trashId })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("“Shade garden”, is in the trash too"),
    });
    await editor.trash.restore({ ...p, trashId: whole.trashId });
    const thread = await editor.chat.thread({ ...p, chatId: chat.id, branchId: b.main.id });
    expect(thread.messages.map((x) => x.id)).toEqual([m.u1.id, m.a1.id, m.u2.id, m.a2.id]);
    // the fork lost only its own answer (still in the trash): it ends at the question it forked at
    expect(thread.branches.find((x) => x.id === b.fork.id)?.tipMessageId).toBe(m.u2.id);
    expect((await as(null).share.view({ token: link.url.split("/share/")[1] ?? "" })).messages).toHaveLength(4);
    await editor.trash.restore({ ...p, trashId: inner.trashId });
    expect((await editor.chat.thread({ ...p, chatId: chat.id, branchId: b.fork.id })).messages.at(-1)?.id).toBe(m.a2b.id);
  });

  it("refuses to restore a subtree whose parent is in the trash, naming what to restore first; tips move back in order", async () => {
    const { members, chat, messages: m, branches: b, p, as } = await setup();
    const editor = as(members.editor ?? null);
    const leaf = await editor.trash.moveMessage({ ...p, messageId: m.a2.id });
    const above = await editor.trash.moveMessage({ ...p, messageId: m.u2.id });
    expect(above.messageCount).toBe(2);
    await expect(editor.trash.restore({ ...p, trashId: leaf.trashId })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "The message it follows, “Which of those flower?”, is in the trash too. Restore that first, then this.",
    });
    await editor.trash.restore({ ...p, trashId: above.trashId });
    const main = () => editor.chat.thread({ ...p, chatId: chat.id, branchId: b.main.id });
    expect((await main()).messages.map((x) => x.id)).toEqual([m.u1.id, m.a1.id, m.u2.id]);
    await editor.trash.restore({ ...p, trashId: leaf.trashId });
    expect((await main()).messages.map((x) => x.id)).toEqual([m.u1.id, m.a1.id, m.u2.id, m.a2.id]);
  });

  it("leaves a branch that moved on where it is on restore; the restored answer is back among the siblings", async () => {
    const { db, members, chat, messages: m, branches: b, p, as } = await setup();
    const editor = as(members.editor ?? null);
    const item = await editor.trash.moveMessage({ ...p, messageId: m.a2.id });
    // someone answers u2 again meanwhile: Main now ends there
    const [again] = await db.insert(messages).values({ chatId: chat.id, parentId: m.u2.id, role: "assistant", content: "Lenten roses, too." }).returning();
    await db.update(branches).set({ tipMessageId: again?.id }).where(eq(branches.id, b.main.id));
    await editor.trash.restore({ ...p, trashId: item.trashId });
    const thread = await editor.chat.thread({ ...p, chatId: chat.id, branchId: b.main.id });
    expect(thread.messages.at(-1)?.id).toBe(again?.id);
    expect(thread.messages.at(-1)?.siblingIds).toEqual([m.a2.id, m.a2b.id, again?.id]);
  });

  /**
   * A trash held open just before it commits (real code, its transaction paused), while a turn that opens
   * a new branch under the trashed part (or in the trashed chat) is sent on a second connection.
   * The turn must wait for the trash and then refuse, not land under a deleted parent.
   */
  it.skipIf(process.env.TEST_DB !== "postgres")("refuses a turn that opens a branch under a subtree or chat being trashed at that instant", async () => {
    const held = <T>(run: (db: Db) => Promise<T>) => {
      let release = () => {};
      const gate = new Promise<void>((r) => (release = r));
      let ready = () => {};
      const paused = new Promise<void>((r) => (ready = r));
      const pausing = { transaction: (fn: (tx: Db) => Promise<unknown>) => database.db.transaction(async (tx) => { const out = await fn(tx); ready(); await gate; return out; }) } as unknown as Db;
      return { done: run(pausing), paused, release };
    };
    const waitersOn = async (db: Db) => {
      for (let i = 0; i < 200; i++) {
        const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        if ((row?.n ?? 0) > 0) return;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const { db, owner, chat, messages: m, branches: b, p } = await setup();

    // regenerate the answer to u2 while u2's subtree goes to the trash
    const trash = held((tx) => trashMessage(tx, { ...p, messageId: m.u2.id, by: owner.id }));
    await trash.paused;
    const turn = prepareTurn(db, { ...p, chatId: chat.id, branchId: b.main.id, answerTo: m.u2.id, kind: "regenerate", requestId: newRequestId(), by: owner.id });
    const settled = turn.then(() => "landed", (e: Error) => e);
    await waitersOn(db);
    trash.release();
    await trash.done;
    expect(await settled).toMatchObject({ message: "That message was deleted, so the conversation cannot continue from it." });
    const under = await db.select({ id: messages.id }).from(messages).where(eq(messages.parentId, m.u2.id));
    expect(under.map((r) => r.id).sort()).toEqual([m.a2.id, m.a2b.id].sort());

    // a regenerated first answer (a new branch) while the whole chat goes to the trash
    const whole = held((tx) => trashChat(tx, { ...p, chatId: chat.id, by: owner.id }));
    await whole.paused;
    const send = prepareTurn(db, { ...p, chatId: chat.id, branchId: b.main.id, answerTo: m.u1.id, kind: "regenerate", requestId: newRequestId(), by: owner.id });
    const sent = send.then(() => "landed", (e: Error) => e);
    await waitersOn(db);
    whole.release();
    await whole.done;
    expect(await sent).toMatchObject({ message: "This chat does not exist in this project (it may have been deleted)." });
    expect((await db.select({ id: messages.id }).from(messages).where(eq(messages.parentId, m.u1.id))).map((r) => r.id)).toEqual([m.a1.id]);
  });
});
