import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { branches, DEFAULT_PROJECT_SETTINGS, messages, projects, reservations } from "@/db/schema";
import { selectMessages } from "@/server/canvas/board";
import { runTurn } from "@/testing/chat-turns";
import { chatEnvironment } from "@/testing/chat-environment";
import { makeProject } from "@/testing/fixtures";
import { forkBranch, getBranch } from "./branches";
import { createChat } from "./chats";
import { exportBranchMarkdown } from "./export";
import { orderLineage, readLineage } from "./lineage";
import { billingRequestId } from "./stream/producer";
import { startChatTurn } from "./stream/start";
import { getThread } from "./thread";

const env = chatEnvironment();

const ROOT = "Shared start: how do we keep the garden's soil healthy?";
const LINE_A = "Line A: what does compost do for it?";
const LINE_B = "Line B: and what about mulch?";
const MERGE = "Bring compost and mulch together into one plan.";

/**
 * A chat with two lines that share their first exchange:
 *   ROOT → answer → LINE_A → answer   (branch "Main", tip aTip)
 *               ↘ LINE_B → answer     (branch "Reply (from Main)", tip bTip)
 */
async function twoLines(roles: Array<"editor" | "commenter" | "viewer"> = []) {
  const db = env.database.db;
  const { owner, project, members } = await makeProject(db, roles);
  await db.update(projects).set({ settings: { ...DEFAULT_PROJECT_SETTINGS, escalationPolicy: "manual" } }).where(eq(projects.id, project.id));
  const chat = await createChat(db, { projectId: project.id, by: owner.id });
  const root = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: ROOT, tier: "local" });
  const a = await runTurn(db, owner.id, { chatId: chat.id, branchId: root.branchId, parentId: root.assistantMessageId, content: LINE_A, tier: "local" });
  const b = await runTurn(db, owner.id, { chatId: chat.id, branchId: root.branchId, parentId: root.assistantMessageId, content: LINE_B, tier: "local" });
  expect(b.branchId).not.toBe(a.branchId);
  return { db, owner, project, members, chat, root, a, b };
}

const messageCount = async (chatId: string) => (await env.database.db.select({ id: messages.id }).from(messages).where(eq(messages.chatId, chatId))).length;
const statuses = async (chatId: string) =>
  Object.fromEntries((await env.database.db.select().from(branches).where(eq(branches.chatId, chatId))).map((b) => [b.id, b.status]));

function textsOf(body: { messages: Array<{ content: unknown }> }): string {
  return body.messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n");
}

describe("merging two branches", () => {
  it("writes one message with two parents whose cloud context is both lines, the shared start once, and marks both branches merged", async () => {
    const { db, owner, chat, root, a, b } = await twoLines();
    const before = env.fake.requests.length;
    const merge = await runTurn(db, owner.id, {
      requestId: "req-merge-cloud",
      chatId: chat.id,
      branchId: a.branchId,
      parentId: a.assistantMessageId,
      mergeBranchId: b.branchId,
      content: MERGE,
      tier: "cloud",
    });
    expect(merge.events.at(-1)?.event.type).toBe("end");

    // the model got the union: shared start once, then line A, then line B, then the merge's message
    const sent = env.fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    const body = sent[0]?.body as unknown as { system: string; messages: Array<{ role: string; content: unknown }> };
    const text = textsOf(body);
    expect(text.split(ROOT)).toHaveLength(2);
    const order = [ROOT, LINE_A, LINE_B, MERGE].map((t) => text.indexOf(t));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(body.messages.at(-1)?.role).toBe("user");
    const [aBranch, bBranch] = [await getBranch(db, { chatId: chat.id, branchId: a.branchId }), await getBranch(db, { chatId: chat.id, branchId: b.branchId })];
    expect(body.system).toContain(`"${aBranch.title}" and "${bBranch.title}"`);

    // the hold counted the bigger request: its bound covers every byte of what went up
    const [hold] = await db.select().from(reservations).where(eq(reservations.requestId, billingRequestId(owner.id, "req-merge-cloud")));
    expect(hold?.boundTokensIn).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify({ system: body.system, messages: body.messages }), "utf8"));

    // two parents; the answer continues on a new branch; both merged branches are marked
    const [question] = await db.select().from(messages).where(eq(messages.id, merge.userMessageId));
    expect(question).toMatchObject({ parentId: a.assistantMessageId, mergeParentId: b.assistantMessageId, content: MERGE, role: "user" });
    expect(merge.branchId).not.toBe(a.branchId);
    expect(merge.branchId).not.toBe(b.branchId);
    const merged = await getBranch(db, { chatId: chat.id, branchId: merge.branchId });
    expect(merged).toMatchObject({ tipMessageId: merge.assistantMessageId, status: "active", title: `Merge of ${aBranch.title} and ${bBranch.title}` });
    expect(aBranch.status).toBe("merged");
    expect(bBranch.status).toBe("merged");
    expect(aBranch.tipMessageId).toBe(a.assistantMessageId);
    expect(bBranch.tipMessageId).toBe(b.assistantMessageId);

    // a follow-up on the merged branch still sees both lines (and the shared start once)
    const mark = env.fake.requests.length;
    await runTurn(db, owner.id, { chatId: chat.id, branchId: merge.branchId, parentId: merge.assistantMessageId, content: "And in winter?", tier: "cloud" });
    const followUp = textsOf(env.fake.requests[mark]?.body as unknown as { messages: Array<{ content: unknown }> });
    for (const t of [LINE_A, LINE_B, MERGE, "And in winter?"]) expect(followUp).toContain(t);
    expect(followUp.split(ROOT)).toHaveLength(2);

    // the context read itself: a topological order, every message once
    const lineage = await readLineage(db, { chatId: chat.id, tips: [merge.assistantMessageId] });
    expect(lineage.map((m) => m.id)).toEqual([
      root.userMessageId,
      root.assistantMessageId,
      a.userMessageId,
      a.assistantMessageId,
      b.userMessageId,
      b.assistantMessageId,
      merge.userMessageId,
      merge.assistantMessageId,
    ]);
  });

  it("answers a merge on the local tier from both lines too (the same context builder)", async () => {
    const { db, owner, chat, a, b } = await twoLines();
    const merge = await runTurn(db, owner.id, { chatId: chat.id, branchId: a.branchId, parentId: a.assistantMessageId, mergeBranchId: b.branchId, content: MERGE, tier: "local" });
    expect(merge.events.at(-1)?.event.type).toBe("end");
    const lineage = await readLineage(db, { chatId: chat.id, tips: [merge.userMessageId] });
    expect(lineage.map((m) => m.content)).toEqual(expect.arrayContaining([ROOT, LINE_A, LINE_B, MERGE]));
  });

  it("refuses a branch merged with itself, with its own ancestor (either way round), or through an earlier merge — and writes nothing", async () => {
    const { db, owner, project, chat, root, a, b } = await twoLines();
    const ancestor = await forkBranch(db, { projectId: project.id, chatId: chat.id, messageId: root.assistantMessageId, by: owner.id, title: "Earlier point" });
    const attempt = (request: { branchId: string; parentId: string; mergeBranchId: string }) =>
      startChatTurn(db, { userId: owner.id, request: { requestId: `req-${Math.random()}`, chatId: chat.id, content: MERGE, tier: "local", ...request } });

    const count = await messageCount(chat.id);
    const states = await statuses(chat.id);
    await expect(attempt({ branchId: a.branchId, parentId: a.assistantMessageId, mergeBranchId: a.branchId })).rejects.toMatchObject({ code: "bad_request:merge_same_branch" });
    await expect(attempt({ branchId: a.branchId, parentId: a.assistantMessageId, mergeBranchId: ancestor.id })).rejects.toMatchObject({
      code: "bad_request:merge_ancestor",
      message: expect.stringContaining("its own ancestor"),
    });
    await expect(attempt({ branchId: ancestor.id, parentId: root.assistantMessageId, mergeBranchId: a.branchId })).rejects.toMatchObject({ code: "bad_request:merge_ancestor" });
    // a tip that is not the first branch's newest message: the merge was picked from a stale view
    await expect(attempt({ branchId: a.branchId, parentId: a.userMessageId, mergeBranchId: b.branchId })).rejects.toMatchObject({ code: "conflict:merge_moved" });
    expect(await messageCount(chat.id)).toBe(count);
    expect(await statuses(chat.id)).toEqual(states);

    // after a merge, the line that came in as the SECOND parent is an ancestor of the merge branch too
    const merge = await runTurn(db, owner.id, { chatId: chat.id, branchId: a.branchId, parentId: a.assistantMessageId, mergeBranchId: b.branchId, content: MERGE, tier: "local" });
    const afterMerge = await messageCount(chat.id);
    await expect(attempt({ branchId: merge.branchId, parentId: merge.assistantMessageId, mergeBranchId: b.branchId })).rejects.toMatchObject({ code: "bad_request:merge_ancestor" });
    await expect(attempt({ branchId: b.branchId, parentId: b.assistantMessageId, mergeBranchId: merge.branchId })).rejects.toMatchObject({ code: "bad_request:merge_ancestor" });
    expect(await messageCount(chat.id)).toBe(afterMerge);
    // no hold was placed for any refused merge
    const [{ n }] = (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from reservations where project_id = ${project.id}`)) as [{ n: number }];
    expect(Number(n)).toBe(0);
  });

  it("refuses a branch of another chat or another project, and a merge asked to answer again", async () => {
    const { db, owner, project, chat, a } = await twoLines();
    const otherChat = await createChat(db, { projectId: project.id, by: owner.id });
    const elsewhere = await runTurn(db, owner.id, { chatId: otherChat.id, parentId: null, content: "Elsewhere", tier: "local" });
    const stranger = await twoLines();
    const count = await messageCount(chat.id);
    const attempt = (mergeBranchId: string) =>
      startChatTurn(db, {
        userId: owner.id,
        request: { requestId: `req-${Math.random()}`, chatId: chat.id, branchId: a.branchId, parentId: a.assistantMessageId, mergeBranchId, content: MERGE, tier: "local" },
      });
    await expect(attempt(elsewhere.branchId)).rejects.toMatchObject({ code: "not_found:branch", message: expect.stringContaining("same chat") });
    await expect(attempt(stranger.b.branchId)).rejects.toMatchObject({ code: "not_found:branch" });
    await expect(
      startChatTurn(db, {
        userId: owner.id,
        request: { requestId: "req-merge-answer-to", chatId: chat.id, branchId: a.branchId, answerTo: a.userMessageId, mergeBranchId: stranger.b.branchId, tier: "local" },
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^(bad_request|conflict|not_found):/) });
    expect(await messageCount(chat.id)).toBe(count);
  });

  it("is for editors and owners only, checked on the server", async () => {
    const { db, members, chat, a, b } = await twoLines(["editor", "commenter", "viewer"]);
    const request = (requestId: string) => ({ requestId, chatId: chat.id, branchId: a.branchId, parentId: a.assistantMessageId, mergeBranchId: b.branchId, content: MERGE, tier: "local" as const });
    for (const role of ["viewer", "commenter"] as const) {
      const who = members[role];
      if (!who) throw new Error(`no ${role}`);
      await expect(startChatTurn(db, { userId: who.id, request: request(`req-merge-${role}`) })).rejects.toMatchObject({ code: expect.stringMatching(/^forbidden:/) });
    }
    expect(Object.values(await statuses(chat.id))).not.toContain("merged");
    const editor = members.editor;
    if (!editor) throw new Error("no editor");
    const merge = await runTurn(db, editor.id, request("req-merge-editor"));
    expect(merge.events.at(-1)?.event.type).toBe("end");
    expect((await getBranch(db, { chatId: chat.id, branchId: b.branchId })).status).toBe("merged");
  });

  it("shows in the thread which two branches it joins, exports both lines as Markdown and gives the canvas the second parent", async () => {
    const { db, owner, project, chat, a, b } = await twoLines();
    const merge = await runTurn(db, owner.id, { chatId: chat.id, branchId: a.branchId, parentId: a.assistantMessageId, mergeBranchId: b.branchId, content: MERGE, tier: "local" });
    const aTitle = (await getBranch(db, { chatId: chat.id, branchId: a.branchId })).title;
    const bTitle = (await getBranch(db, { chatId: chat.id, branchId: b.branchId })).title;

    const thread = await getThread(db, { projectId: project.id, chatId: chat.id, branchId: merge.branchId });
    const shown = thread.messages.find((m) => m.id === merge.userMessageId);
    expect(shown?.join).toEqual({ first: { branchId: a.branchId, title: aTitle }, second: { branchId: b.branchId, title: bTitle } });
    expect(thread.messages.filter((m) => m.id !== merge.userMessageId).every((m) => m.join === null)).toBe(true);
    // the merge is a child of its first parent: one of that message's children, sibling switching as ever
    expect(shown?.siblingIds).toEqual([merge.userMessageId]);

    const markdown = await exportBranchMarkdown(db, { projectId: project.id, chatId: chat.id, branchId: merge.branchId });
    const at = (t: string) => markdown.indexOf(t);
    expect(markdown.split(ROOT)).toHaveLength(2);
    expect(at(`Shared start of "${aTitle}" and "${bTitle}"`)).toBeLessThan(at(ROOT));
    expect(at(ROOT)).toBeLessThan(at(`Line 1 of the merge: "${aTitle}"`));
    expect(at(`Line 1 of the merge: "${aTitle}"`)).toBeLessThan(at(LINE_A));
    expect(at(LINE_A)).toBeLessThan(at(`Line 2 of the merge: "${bTitle}"`));
    expect(at(`Line 2 of the merge: "${bTitle}"`)).toBeLessThan(at(LINE_B));
    expect(at(LINE_B)).toBeLessThan(at(`Merge of "${aTitle}" and "${bTitle}"`));
    expect(at(`Merge of "${aTitle}" and "${bTitle}"`)).toBeLessThan(at(MERGE));

    // a branch without a merge exports as before: no line headings
    const plain = await exportBranchMarkdown(db, { projectId: project.id, chatId: chat.id, branchId: b.branchId });
    expect(plain).not.toContain("Line 1 of the merge");
    expect(plain).not.toContain(LINE_A);

    const board = await selectMessages(db, { projectId: project.id });
    expect(board.find((m) => m.id === merge.userMessageId)).toMatchObject({ parentId: a.assistantMessageId, mergeParentId: b.assistantMessageId });
    expect(board.filter((m) => m.mergeParentId)).toHaveLength(1);
  });
});

describe("the schema keeps a merge's two parents sane", () => {
  it("refuses a second parent in another chat, equal to the first parent, or the message itself, and a second parent without a first", async () => {
    const { db, chat, a, b } = await twoLines();
    const other = await twoLines();
    const insert = (values: { id?: string; parentId: string | null; mergeParentId: string }) =>
      db.insert(messages).values({ chatId: chat.id, role: "user", content: "x", ...values });
    await expect(insert({ parentId: a.assistantMessageId, mergeParentId: other.b.assistantMessageId })).rejects.toThrow();
    await expect(insert({ parentId: a.assistantMessageId, mergeParentId: a.assistantMessageId })).rejects.toThrow();
    await expect(insert({ parentId: null, mergeParentId: b.assistantMessageId })).rejects.toThrow();
    const self = crypto.randomUUID();
    await expect(insert({ id: self, parentId: a.assistantMessageId, mergeParentId: self })).rejects.toThrow();
    await expect(insert({ parentId: a.assistantMessageId, mergeParentId: b.assistantMessageId })).resolves.toBeDefined();
  });
});

describe("the lineage order", () => {
  const m = (id: string, parentId: string | null, mergeParentId: string | null = null) => ({ id, parentId, mergeParentId });
  it("puts shared ancestors once, the first line, the second line's own part, then the merge — also for a merge of merges", () => {
    // r → x → a1 → a2 ; x → b1 ; M1(a2, b1) ; r → c1 ; M2(M1, c1)
    const graph = [m("r", null), m("x", "r"), m("a1", "x"), m("a2", "a1"), m("b1", "x"), m("M1", "a2", "b1"), m("c1", "r"), m("M2", "M1", "c1")];
    const byId = new Map(graph.map((g) => [g.id, g]));
    expect(orderLineage(byId, ["M2"]).map((g) => g.id)).toEqual(["r", "x", "a1", "a2", "b1", "M1", "c1", "M2"]);
    expect(orderLineage(byId, ["a2", "b1"]).map((g) => g.id)).toEqual(["r", "x", "a1", "a2", "b1"]);
    // a long line does not need deep recursion
    const deep = Array.from({ length: 20_000 }, (_, i) => m(`n${i}`, i === 0 ? null : `n${i - 1}`));
    expect(orderLineage(new Map(deep.map((g) => [g.id, g])), ["n19999"])).toHaveLength(20_000);
  });
});
