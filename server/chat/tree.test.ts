import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { branches, chatStreams, messages } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import type { FakeAnthropic } from "@/testing/fakes/anthropic";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { createCaller } from "@/server/routers/_app";
import { contextFor, makeProject } from "@/testing/fixtures";
import { forkBranch, switchSibling } from "./branches";
import { createChat } from "./chats";
import { newRequestId, runTurn, useFakeAnthropic } from "@/testing/chat-turns";
import { getThread } from "./thread";
import { readPath } from "./tree";
import { prepareTurn } from "./turns";

let database: Database;
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await useFakeAnthropic();
  database = await createTestDatabase();
  await ensureModelPrices(database.db);
});
afterAll(async () => {
  await database.close();
  await fake.close();
});

async function setup() {
  const { owner, project, members } = await makeProject(database.db, ["editor", "commenter", "viewer"]);
  const chat = await createChat(database.db, { projectId: project.id, by: owner.id });
  return { owner, project, members, chat };
}

const contents = (thread: { messages: Array<{ role: string; content: string }> }) =>
  thread.messages.filter((m) => m.role === "user").map((m) => m.content);

describe("the message tree", () => {
  it("appends by moving the tip and reads a branch root-first with one recursive query", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    const first = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Hello there, how do I prune roses?", tier: "local" });
    const second = await runTurn(db, owner.id, { chatId: chat.id, parentId: first.assistantMessageId, content: "And apple trees?", tier: "local" });
    const thread = await getThread(db, { projectId: project.id, chatId: chat.id });
    expect(thread.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(contents(thread)).toEqual(["Hello there, how do I prune roses?", "And apple trees?"]);
    expect(thread.branch.tipMessageId).toBe(second.assistantMessageId);
    expect(thread.branches).toHaveLength(1);
    expect(thread.chat.title).toBe("How do I prune roses");
    // the answer came from the built-in tier, saying plainly that the vault is empty
    const answer = thread.messages[1];
    expect(answer).toMatchObject({ tier: "local", model: "vault-responder", status: "complete" });
    expect(answer?.content).toMatch(/couldn't find anything.*knowledge vault/i);
    expect(answer?.content).toMatch(/Escalate/);
    // nothing copied: 4 rows in total
    expect(await database.db.$count(messages, eq(messages.chatId, chat.id))).toBe(4);
  });

  it("edit makes a sibling user message with a new answer on a new branch; the old path stays", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    const a = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Question one", tier: "local" });
    const b = await runTurn(db, owner.id, { chatId: chat.id, parentId: a.assistantMessageId, content: "Question two", tier: "local" });
    const mainBranch = b.branchId;
    const edited = await runTurn(db, owner.id, { chatId: chat.id, branchId: mainBranch, parentId: a.assistantMessageId, content: "Question two, edited", tier: "local" });
    expect(edited.branchId).not.toBe(mainBranch);
    const newThread = await getThread(db, { projectId: project.id, chatId: chat.id, branchId: edited.branchId });
    expect(contents(newThread)).toEqual(["Question one", "Question two, edited"]);
    const editedUser = newThread.messages[2];
    expect(editedUser?.siblingIds).toEqual([b.userMessageId, edited.userMessageId]);
    expect(editedUser?.siblingIndex).toBe(1);
    const oldThread = await getThread(db, { projectId: project.id, chatId: chat.id, branchId: mainBranch });
    expect(contents(oldThread)).toEqual(["Question one", "Question two"]);
    const [created] = await db.select().from(branches).where(eq(branches.id, edited.branchId));
    expect(created).toMatchObject({ forkMessageId: a.assistantMessageId, parentBranchId: mainBranch });
  });

  it("regenerate makes a sibling answer under the same question; switching siblings descends to the newest leaf", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    const a = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "What is mulch?", tier: "local" });
    const deeper = await runTurn(db, owner.id, { chatId: chat.id, parentId: a.assistantMessageId, content: "Follow-up", tier: "local" });
    const regen = await runTurn(db, owner.id, { chatId: chat.id, branchId: deeper.branchId, answerTo: a.userMessageId, tier: "local" });
    expect(regen.userMessageId).toBe(a.userMessageId);
    const thread = await getThread(db, { projectId: project.id, chatId: chat.id, branchId: regen.branchId });
    expect(thread.messages).toHaveLength(2);
    expect(thread.messages[1]?.siblingIds).toEqual([a.assistantMessageId, regen.assistantMessageId]);

    // picking the first answer again returns to the branch that continues below it (its newest leaf)
    const back = await switchSibling(db, { projectId: project.id, chatId: chat.id, branchId: regen.branchId, messageId: a.assistantMessageId, by: owner.id, mayCreate: true });
    expect(back.branchId).toBe(deeper.branchId);
    const path = await readPath(db, { chatId: chat.id, tipMessageId: deeper.assistantMessageId });
    expect(path.map((m) => m.id)).toContain(a.assistantMessageId);

    // a sibling without any branch pointer gets one at its newest leaf
    await db.update(branches).set({ tipMessageId: a.userMessageId }).where(eq(branches.id, regen.branchId));
    const created = await switchSibling(db, { projectId: project.id, chatId: chat.id, branchId: deeper.branchId, messageId: regen.assistantMessageId, by: owner.id, mayCreate: true });
    const [pointer] = await db.select().from(branches).where(eq(branches.id, created.branchId));
    expect(pointer?.tipMessageId).toBe(regen.assistantMessageId);
  });

  it("a viewer or commenter picking a sibling reads it without creating a branch (reads never write)", async () => {
    const { owner, project, chat, members } = await setup();
    const db = database.db;
    const a = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "What is loam?", tier: "local" });
    const regen = await runTurn(db, owner.id, { chatId: chat.id, branchId: a.branchId, answerTo: a.userMessageId, tier: "local" });
    // Leave the first answer without any branch pointing into it.
    await db.update(branches).set({ tipMessageId: regen.assistantMessageId }).where(eq(branches.chatId, chat.id));
    const before = await db.select().from(branches).where(eq(branches.chatId, chat.id));
    const input = { projectId: project.id, chatId: chat.id, branchId: regen.branchId, messageId: a.assistantMessageId };
    for (const role of ["viewer", "commenter"] as const) {
      const picked = await createCaller(contextFor(db, members[role] ?? null)).chat.switchSibling(input);
      expect(picked).toEqual({ branchId: regen.branchId, tipMessageId: a.assistantMessageId });
      expect(await db.select().from(branches).where(eq(branches.chatId, chat.id))).toHaveLength(before.length);
      // What they were given is enough to read that sibling.
      const shown = await createCaller(contextFor(db, members[role] ?? null)).chat.thread({ ...input, messageId: picked.tipMessageId });
      expect(shown.messages.at(-1)?.id).toBe(a.assistantMessageId);
    }
    const byEditor = await createCaller(contextFor(db, members.editor ?? null)).chat.switchSibling(input);
    expect(byEditor.tipMessageId).toBeUndefined();
    expect(await db.select().from(branches).where(eq(branches.chatId, chat.id))).toHaveLength(before.length + 1);
  });

  it("forks a branch at any message without copying, and opens the thread that contains a message", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    const a = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Root question", tier: "local" });
    const b = await runTurn(db, owner.id, { chatId: chat.id, parentId: a.assistantMessageId, content: "Second", tier: "local" });
    const fork = await forkBranch(db, { projectId: project.id, chatId: chat.id, messageId: a.assistantMessageId, by: owner.id, title: "Side idea" });
    expect(fork).toMatchObject({ tipMessageId: a.assistantMessageId, forkMessageId: a.assistantMessageId, parentBranchId: b.branchId, title: "Side idea" });
    const c = await runTurn(db, owner.id, { chatId: chat.id, branchId: fork.id, parentId: a.assistantMessageId, content: "On the fork", tier: "local" });
    expect(c.branchId).toBe(fork.id);
    expect(contents(await getThread(db, { projectId: project.id, chatId: chat.id, branchId: fork.id }))).toEqual(["Root question", "On the fork"]);
    const viaMessage = await getThread(db, { projectId: project.id, chatId: chat.id, messageId: b.userMessageId });
    expect(viaMessage.branch.id).toBe(b.branchId);
    expect(await database.db.$count(messages, eq(messages.chatId, chat.id))).toBe(6);
  });

  it("rejects bad input with clear errors and leaves no orphan messages", async () => {
    const { owner, project, chat } = await setup();
    const other = await setup();
    const db = database.db;
    const before = await db.$count(messages);
    await expect(prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: null, content: "   ", requestId: newRequestId(), by: owner.id })).rejects.toThrow(/empty/);
    await expect(
      prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: null, content: "x".repeat(100 * 1024 + 1), requestId: newRequestId(), by: owner.id }),
    ).rejects.toThrow(/larger than 100 KB/);
    const foreign = await runTurn(db, other.owner.id, { chatId: other.chat.id, parentId: null, content: "elsewhere", tier: "local" });
    const afterForeign = await db.$count(messages);
    await expect(
      prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: foreign.assistantMessageId, content: "hi", requestId: newRequestId(), by: owner.id }),
    ).rejects.toThrow(/not part of this chat/);
    const mine = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "mine", tier: "local" });
    await db.update(messages).set({ deletedAt: new Date() }).where(eq(messages.id, mine.assistantMessageId));
    await expect(forkBranch(db, { projectId: project.id, chatId: chat.id, messageId: mine.assistantMessageId, by: owner.id })).rejects.toMatchObject({ code: "gone:message" });
    await expect(
      prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: mine.assistantMessageId, content: "hi", requestId: newRequestId(), by: owner.id }),
    ).rejects.toMatchObject({ code: "gone:message" });
    expect(await db.$count(messages)).toBe(afterForeign + 2);
    expect(afterForeign).toBe(before + 2);
  });

  it("refuses a second Send while an answer streams on the same branch", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    const first = await prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: null, content: "one", requestId: newRequestId(), by: owner.id });
    const count = await db.$count(messages, eq(messages.chatId, chat.id));
    await expect(
      prepareTurn(db, { projectId: project.id, chatId: chat.id, branchId: first.branchId, parentId: first.assistantMessageId, content: "two", requestId: newRequestId(), by: owner.id }),
    ).rejects.toMatchObject({ code: "conflict:streaming" });
    expect(await db.$count(messages, eq(messages.chatId, chat.id))).toBe(count);
    await db.update(chatStreams).set({ status: "done" }).where(eq(chatStreams.id, first.stream.id));
  });
});

describe("chat router", () => {
  it("lets viewers read, commenters give feedback, editors write — and no one else", async () => {
    const { owner, project, members, chat } = await setup();
    const db = database.db;
    const a = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Roles test", tier: "local" });
    const viewer = createCaller(contextFor(db, members.viewer ?? null));
    const commenter = createCaller(contextFor(db, members.commenter ?? null));
    const editor = createCaller(contextFor(db, members.editor ?? null));
    const anonymous = createCaller(contextFor(db, null));
    const p = { projectId: project.id };

    expect((await viewer.chat.list(p)).map((c) => c.id)).toContain(chat.id);
    expect((await viewer.chat.thread({ ...p, chatId: chat.id })).messages).toHaveLength(2);
    await expect(viewer.chat.create(p)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.chat.fork({ ...p, chatId: chat.id, messageId: a.assistantMessageId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.chat.feedback({ ...p, messageId: a.assistantMessageId, value: "good" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(anonymous.chat.list(p)).rejects.toMatchObject({ code: "UNAUTHORIZED" });

    await commenter.chat.feedback({ ...p, messageId: a.assistantMessageId, value: "bad" });
    expect((await viewer.chat.thread({ ...p, chatId: chat.id })).messages[1]?.feedback).toBe("bad");
    await expect(commenter.chat.feedback({ ...p, messageId: a.userMessageId, value: "good" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(commenter.chat.fork({ ...p, chatId: chat.id, messageId: a.assistantMessageId })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const { branchId } = await editor.chat.fork({ ...p, chatId: chat.id, messageId: a.assistantMessageId, title: "Editor's fork" });
    await editor.chat.renameBranch({ ...p, branchId, title: "Renamed fork" });
    await editor.chat.archiveBranch({ ...p, branchId, archived: true });
    const branchesNow = (await viewer.chat.thread({ ...p, chatId: chat.id })).branches;
    expect(branchesNow.find((b) => b.id === branchId)).toMatchObject({ title: "Renamed fork", status: "archived" });
    await editor.chat.rename({ ...p, chatId: chat.id, title: "Renamed chat" });

    const md = await viewer.chat.exportMarkdown({ ...p, chatId: chat.id, branchId: a.branchId });
    expect(md).toContain("# Renamed chat");
    expect(md).toContain("## You\n\nRoles test");
    const tree = await viewer.chat.exportTree({ ...p, chatId: chat.id });
    expect((tree.messages as unknown[]).length).toBe(2);
    expect(tree.branches as unknown[]).toHaveLength(2);

    const status = await viewer.chat.escalationStatus(p);
    expect(status).toMatchObject({ cloudConfigured: true, policy: "manual" });

    // another project's chat is simply not found
    const stranger = await setup();
    await expect(createCaller(contextFor(db, stranger.owner)).chat.thread({ projectId: stranger.project.id, chatId: chat.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(editor.chat.delete({ ...p, chatId: chat.id })).resolves.toMatchObject({ ok: true });
    expect(await viewer.chat.list(p)).toEqual([]);
  });
});
