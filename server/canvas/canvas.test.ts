import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "@/db/client";
import { canvasEdges, canvasNodes, chunks, comments, messageCitations, messages, sources } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { createCaller } from "@/server/routers/_app";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { seedForkedChat } from "@/testing/canvas-seed";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

async function setup() {
  const db = database.db;
  const made = await makeProject(db, ["editor", "commenter", "viewer"]);
  const seeded = await seedForkedChat(db, { projectId: made.project.id, authorId: made.owner.id });
  const api = (user: { id: string; email: string } | undefined) => {
    if (!user) throw new Error("missing member");
    return createCaller(contextFor(db, user));
  };
  return {
    ...made,
    ...seeded,
    pid: made.project.id,
    owner: api(made.owner),
    editor: api(made.members.editor),
    commenter: api(made.members.commenter),
    viewer: api(made.members.viewer),
  };
}

async function addReadySource(projectId: string, title: string) {
  const [source] = await database.db.insert(sources).values({ projectId, title, mediaType: "text/plain", origin: "paste", status: "ready" }).returning();
  if (!source) throw new Error("source insert");
  const [chunk] = await database.db
    .insert(chunks)
    .values({ sourceId: source.id, projectId, ordinal: 0, text: "Hellebores flower in winter.", tokenCount: 5 })
    .returning();
  if (!chunk) throw new Error("chunk insert");
  return { source, chunk };
}

const count = async (table: typeof canvasEdges | typeof canvasNodes | typeof comments, projectId: string) => {
  const rows = await database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(table).where(eq(table.projectId, projectId));
  return rows[0]?.n ?? 0;
};

describe("canvas.board", () => {
  it("returns every message, branches, ready sources, citations, notes, edges, counts and positions of the project only", async () => {
    const s = await setup();
    const other = await setup(); // another project's chat must not leak in
    const { source, chunk } = await addReadySource(s.pid, "Shade plants");
    await database.db.insert(sources).values({ projectId: s.pid, title: "Still processing", mediaType: "text/plain", origin: "paste" });
    await database.db.insert(messageCitations).values({ messageId: s.messages.a2.id, number: 1, chunkId: chunk.id, sourceId: source.id, relevance: 0.8 });
    await s.owner.canvas.moveNodes({ projectId: s.pid, moves: [{ key: `m:${s.messages.a1.id}`, x: 10, y: 20 }] });
    const note = await s.editor.canvas.addNote({ projectId: s.pid, text: "Ask about soil", x: 400, y: 0 });
    await s.editor.canvas.createEdge({ projectId: s.pid, fromKey: note.key, toKey: `m:${s.messages.a2.id}`, label: "see" });
    await s.commenter.canvas.addComment({ projectId: s.pid, targetKey: `m:${s.messages.u2.id}`, body: "Good question" });

    const board = await s.viewer.canvas.board({ projectId: s.pid });
    expect(board.role).toBe("viewer");
    expect(board.chats.map((c) => c.id)).toEqual([s.chat.id]);
    expect(board.messages.map((m) => m.id).sort()).toEqual(Object.values(s.messages).map((m) => m.id).sort());
    expect(board.messages.some((m) => m.chatId === other.chat.id)).toBe(false);
    const a2 = board.messages.find((m) => m.id === s.messages.a2.id);
    expect(a2).toMatchObject({ role: "assistant", parentId: s.messages.u2.id, tier: "local", status: "complete", preview: "Hellebores flower in late winter." });
    expect(board.branches.map((b) => [b.title, b.tipMessageId, b.forkMessageId])).toEqual([
      ["Main", s.messages.a2.id, null],
      ["Fork", s.messages.a2b.id, s.messages.u2.id],
    ]);
    expect(board.sources.map((x) => x.title)).toEqual(["Shade plants"]);
    expect(board.citations).toEqual([{ messageId: s.messages.a2.id, sourceId: source.id, relevance: expect.closeTo(0.8, 5) }]);
    expect(board.positions).toMatchObject([{ key: `m:${s.messages.a1.id}`, x: 10, y: 20, locked: false }]);
    expect(board.notes).toMatchObject([{ id: note.id, text: "Ask about soil", x: 400, y: 0 }]);
    expect(board.edges).toMatchObject([{ fromKey: note.key, toKey: `m:${s.messages.a2.id}`, label: "see" }]);
    expect(board.commentCounts).toEqual([{ targetKey: `m:${s.messages.u2.id}`, total: 1, open: 1 }]);
  });

  it("cuts long previews and hides a deleted message's words but keeps its place", async () => {
    const s = await setup();
    await database.db.update(messages).set({ content: "word ".repeat(200) }).where(eq(messages.id, s.messages.a1.id));
    await database.db.update(messages).set({ deletedAt: new Date() }).where(eq(messages.id, s.messages.u2.id));
    // whitespace collapses in the preview, but a cut is still marked
    await database.db.update(messages).set({ content: `Short line.${"\n".repeat(400)}And more after the gap.` }).where(eq(messages.id, s.messages.a2.id));
    const board = await s.viewer.canvas.board({ projectId: s.pid });
    expect(board.messages.find((m) => m.id === s.messages.a2.id)?.preview).toBe("Short line.…");
    const a1 = board.messages.find((m) => m.id === s.messages.a1.id);
    expect(a1?.preview.length).toBeLessThanOrEqual(180);
    expect(a1?.preview.endsWith("…")).toBe(true);
    expect(board.messages.find((m) => m.id === s.messages.u2.id)).toMatchObject({ deleted: true, preview: "" });
    expect(await s.viewer.canvas.messageText({ projectId: s.pid, messageId: s.messages.a1.id })).toMatchObject({ content: "word ".repeat(200) });
  });

  it("is not found for strangers and rejects anonymous callers", async () => {
    const s = await setup();
    const stranger = createCaller(contextFor(database.db, await makeUser(database.db)));
    await expect(stranger.canvas.board({ projectId: s.pid })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(createCaller(contextFor(database.db, null)).canvas.board({ projectId: s.pid })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("canvas moves and locks", () => {
  it("stores positions per project, moves again in place, and refuses locked nodes until unlocked", async () => {
    const s = await setup();
    const key = `m:${s.messages.u1.id}`;
    await s.editor.canvas.moveNodes({ projectId: s.pid, moves: [{ key, x: 1.5, y: -2 }] });
    await s.editor.canvas.moveNodes({ projectId: s.pid, moves: [{ key, x: 100, y: 200 }, { key: `c:${s.chat.id}`, x: 0, y: -100 }] });
    expect(await count(canvasNodes, s.pid)).toBe(2);
    await s.editor.canvas.setLocked({ projectId: s.pid, key, locked: true, x: 999, y: 999 });
    let board = await s.viewer.canvas.board({ projectId: s.pid });
    expect(board.positions.find((p) => p.key === key)).toMatchObject({ x: 100, y: 200, locked: true });
    await expect(s.editor.canvas.moveNodes({ projectId: s.pid, moves: [{ key, x: 0, y: 0 }] })).rejects.toMatchObject({ code: "CONFLICT" });
    await s.editor.canvas.setLocked({ projectId: s.pid, key, locked: false, x: 100, y: 200 });
    await s.editor.canvas.moveNodes({ projectId: s.pid, moves: [{ key, x: 5, y: 6 }] });
    board = await s.viewer.canvas.board({ projectId: s.pid });
    expect(board.positions.find((p) => p.key === key)).toMatchObject({ x: 5, y: 6, locked: false });
  });

  it("refuses positions that are not finite, and writes nothing", async () => {
    const s = await setup();
    const key = `m:${s.messages.u1.id}`;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e12]) {
      await expect(s.editor.canvas.moveNodes({ projectId: s.pid, moves: [{ key, x: bad, y: 0 }] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(s.editor.canvas.addNote({ projectId: s.pid, text: "x", x: 0, y: bad })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(s.editor.canvas.setLocked({ projectId: s.pid, key, locked: true, x: bad, y: bad })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    // one bad move in a batch spoils the batch
    await expect(
      s.editor.canvas.moveNodes({ projectId: s.pid, moves: [{ key, x: 1, y: 1 }, { key: `m:${s.messages.a1.id}`, x: Number.NaN, y: 1 }] }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await count(canvasNodes, s.pid)).toBe(0);
  });

  it("refuses moving another project's node, and rolls back the whole batch", async () => {
    const s = await setup();
    const other = await setup();
    await expect(
      s.editor.canvas.moveNodes({
        projectId: s.pid,
        moves: [
          { key: `m:${s.messages.u1.id}`, x: 1, y: 1 },
          { key: `m:${other.messages.u1.id}`, x: 1, y: 1 },
        ],
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(s.editor.canvas.moveNodes({ projectId: s.pid, moves: [{ key: "x:nonsense", x: 1, y: 1 }] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await count(canvasNodes, s.pid)).toBe(0);
    expect(await count(canvasNodes, other.pid)).toBe(0);
  });
});

describe("canvas notes and edges", () => {
  it("adds, edits and deletes notes; deleting a note takes its edges away", async () => {
    const s = await setup();
    const note = await s.editor.canvas.addNote({ projectId: s.pid, text: "  Idea  ", x: 0, y: 0 });
    expect(note.text).toBe("Idea");
    await s.editor.canvas.editNote({ projectId: s.pid, noteId: note.id, text: "Better idea" });
    const edge = await s.editor.canvas.createEdge({ projectId: s.pid, fromKey: note.key, toKey: `m:${s.messages.u1.id}`, label: "" });
    await s.editor.canvas.deleteNote({ projectId: s.pid, noteId: note.id });
    const board = await s.viewer.canvas.board({ projectId: s.pid });
    expect(board.notes).toEqual([]);
    expect(board.edges.find((e) => e.id === edge.id)).toBeUndefined();
    await expect(s.editor.canvas.editNote({ projectId: s.pid, noteId: note.id, text: "again" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(s.editor.canvas.addNote({ projectId: s.pid, text: "   ", x: 0, y: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("draws labelled, styled edges between messages, sources and notes; edits and deletes them", async () => {
    const s = await setup();
    const { source } = await addReadySource(s.pid, "Guide");
    const edge = await s.editor.canvas.createEdge({
      projectId: s.pid,
      fromKey: `m:${s.messages.a2.id}`,
      toKey: `s:${source.id}`,
      label: " contradicts ",
      style: { line: "dashed", color: "#dc2626", arrowEnd: true },
    });
    expect(edge).toMatchObject({ label: "contradicts", style: { line: "dashed", color: "#dc2626", arrowEnd: true }, authorId: s.members.editor?.id });
    await s.owner.canvas.updateEdge({ projectId: s.pid, edgeId: edge.id, label: "supports", style: { line: "solid" } });
    expect((await s.viewer.canvas.board({ projectId: s.pid })).edges).toMatchObject([{ id: edge.id, label: "supports", style: { line: "solid" } }]);
    await s.editor.canvas.deleteEdge({ projectId: s.pid, edgeId: edge.id });
    expect((await s.viewer.canvas.board({ projectId: s.pid })).edges).toEqual([]);
    await expect(s.editor.canvas.deleteEdge({ projectId: s.pid, edgeId: edge.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses edges to another project's nodes, self-loops, deleted messages and bad styles — nothing written", async () => {
    const s = await setup();
    const other = await setup();
    const otherNote = await other.editor.canvas.addNote({ projectId: other.pid, text: "theirs", x: 0, y: 0 });
    const mine = `m:${s.messages.u1.id}`;
    const refused = [
      { fromKey: mine, toKey: `m:${other.messages.u1.id}`, code: "NOT_FOUND" },
      { fromKey: otherNote.key, toKey: mine, code: "NOT_FOUND" },
      { fromKey: mine, toKey: mine, code: "BAD_REQUEST" },
      { fromKey: mine, toKey: `c:${s.chat.id}`, code: "BAD_REQUEST" },
      { fromKey: mine, toKey: "m:not-a-uuid", code: "BAD_REQUEST" },
    ];
    for (const r of refused) {
      await expect(s.editor.canvas.createEdge({ projectId: s.pid, fromKey: r.fromKey, toKey: r.toKey, label: "x" })).rejects.toMatchObject({ code: r.code });
    }
    const err = await s.editor.canvas.createEdge({ projectId: s.pid, fromKey: mine, toKey: `m:${other.messages.u1.id}`, label: "x" }).catch((e: Error) => e);
    expect(String(err)).toMatch(/not on this project's board/);
    await expect(
      s.editor.canvas.createEdge({ projectId: s.pid, fromKey: mine, toKey: `m:${s.messages.a1.id}`, label: "x", style: { color: "red; background:url(x)" } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await database.db.update(messages).set({ deletedAt: new Date() }).where(eq(messages.id, s.messages.a1.id));
    await expect(s.editor.canvas.createEdge({ projectId: s.pid, fromKey: mine, toKey: `m:${s.messages.a1.id}`, label: "x" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await count(canvasEdges, s.pid)).toBe(0);
    // another project's edge cannot be deleted from here either
    const theirs = await other.editor.canvas.createEdge({ projectId: other.pid, fromKey: otherNote.key, toKey: `m:${other.messages.u1.id}`, label: "" });
    await expect(s.editor.canvas.deleteEdge({ projectId: s.pid, edgeId: theirs.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await other.viewer.canvas.board({ projectId: other.pid })).edges).toHaveLength(1);
  });
});

describe("canvas comments", () => {
  it("threads, edits, resolves, reopens and soft-deletes", async () => {
    const s = await setup();
    const target = `m:${s.messages.a2.id}`;
    const first = await s.commenter.canvas.addComment({ projectId: s.pid, targetKey: target, body: "Is this right?" });
    const reply = await s.editor.canvas.addComment({ projectId: s.pid, targetKey: target, body: "Yes, checked.", threadId: first.id });
    const replyToReply = await s.owner.canvas.addComment({ projectId: s.pid, targetKey: target, body: "Thanks", threadId: reply.id });
    expect(reply.threadId).toBe(first.id);
    expect(replyToReply.threadId).toBe(first.id);

    await s.commenter.canvas.editComment({ projectId: s.pid, commentId: first.id, body: "Is this right for zone 5?" });
    await expect(s.editor.canvas.editComment({ projectId: s.pid, commentId: first.id, body: "hijack" })).rejects.toMatchObject({ code: "FORBIDDEN" });

    await s.editor.canvas.resolveComment({ projectId: s.pid, commentId: reply.id, resolved: true });
    let thread = await s.viewer.canvas.comments({ projectId: s.pid, targetKey: target });
    expect(thread.map((c) => c.body)).toEqual(["Is this right for zone 5?", "Yes, checked.", "Thanks"]);
    expect(thread[0]).toMatchObject({ edited: true, resolvedBy: s.members.editor?.id });
    expect(thread[0]?.resolvedAt).toBeInstanceOf(Date);
    expect((await s.viewer.canvas.board({ projectId: s.pid })).commentCounts).toEqual([{ targetKey: target, total: 3, open: 0 }]);
    await s.commenter.canvas.resolveComment({ projectId: s.pid, commentId: first.id, resolved: false });

    // the author or the owner deletes; nobody else
    await expect(s.commenter.canvas.deleteComment({ projectId: s.pid, commentId: reply.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await s.editor.canvas.deleteComment({ projectId: s.pid, commentId: reply.id });
    await s.owner.canvas.deleteComment({ projectId: s.pid, commentId: first.id });
    thread = await s.viewer.canvas.comments({ projectId: s.pid, targetKey: target });
    expect(thread.map((c) => [c.deleted, c.body])).toEqual([
      [true, ""],
      [true, ""],
      [false, "Thanks"],
    ]);
    expect((await s.viewer.canvas.board({ projectId: s.pid })).commentCounts).toEqual([{ targetKey: target, total: 1, open: 0 }]);
    await expect(s.owner.canvas.editComment({ projectId: s.pid, commentId: first.id, body: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses comments on deleted messages, other projects' nodes and empty bodies", async () => {
    const s = await setup();
    const other = await setup();
    await database.db.update(messages).set({ deletedAt: new Date() }).where(eq(messages.id, s.messages.a1.id));
    const err = await s.commenter.canvas.addComment({ projectId: s.pid, targetKey: `m:${s.messages.a1.id}`, body: "hello" }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: "BAD_REQUEST" });
    expect(String(err)).toMatch(/deleted/);
    await expect(s.commenter.canvas.addComment({ projectId: s.pid, targetKey: `m:${other.messages.a1.id}`, body: "hello" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(s.commenter.canvas.addComment({ projectId: s.pid, targetKey: `m:${s.messages.u1.id}`, body: "  " })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const theirs = await other.commenter.canvas.addComment({ projectId: other.pid, targetKey: `m:${other.messages.u1.id}`, body: "theirs" });
    await expect(
      s.commenter.canvas.addComment({ projectId: s.pid, targetKey: `m:${s.messages.u1.id}`, body: "reply", threadId: theirs.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(s.owner.canvas.deleteComment({ projectId: s.pid, commentId: theirs.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await count(comments, s.pid)).toBe(0);
  });
});

describe("canvas roles", () => {
  it("lets viewers only read, commenters comment but not edit the board, editors edit", async () => {
    const s = await setup();
    const key = `m:${s.messages.u1.id}`;
    const note = await s.editor.canvas.addNote({ projectId: s.pid, text: "n", x: 0, y: 0 });
    const edge = await s.editor.canvas.createEdge({ projectId: s.pid, fromKey: note.key, toKey: key, label: "" });
    const comment = await s.commenter.canvas.addComment({ projectId: s.pid, targetKey: key, body: "c" });
    const before = [await count(canvasNodes, s.pid), await count(canvasEdges, s.pid), await count(comments, s.pid)];

    for (const who of [s.viewer, s.commenter]) {
      const refusals = [
        () => who.canvas.moveNodes({ projectId: s.pid, moves: [{ key, x: 1, y: 1 }] }),
        () => who.canvas.setLocked({ projectId: s.pid, key, locked: true, x: 0, y: 0 }),
        () => who.canvas.addNote({ projectId: s.pid, text: "n", x: 0, y: 0 }),
        () => who.canvas.editNote({ projectId: s.pid, noteId: note.id, text: "changed" }),
        () => who.canvas.deleteNote({ projectId: s.pid, noteId: note.id }),
        () => who.canvas.createEdge({ projectId: s.pid, fromKey: note.key, toKey: key, label: "" }),
        () => who.canvas.updateEdge({ projectId: s.pid, edgeId: edge.id, label: "changed" }),
        () => who.canvas.deleteEdge({ projectId: s.pid, edgeId: edge.id }),
      ];
      for (const r of refusals) await expect(r()).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    for (const r of [
      () => s.viewer.canvas.addComment({ projectId: s.pid, targetKey: key, body: "c" }),
      () => s.viewer.canvas.resolveComment({ projectId: s.pid, commentId: comment.id, resolved: true }),
      () => s.viewer.canvas.deleteComment({ projectId: s.pid, commentId: comment.id }),
      () => s.viewer.canvas.editComment({ projectId: s.pid, commentId: comment.id, body: "x" }),
    ]) {
      await expect(r()).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect([await count(canvasNodes, s.pid), await count(canvasEdges, s.pid), await count(comments, s.pid)]).toEqual(before);
    const board = await s.viewer.canvas.board({ projectId: s.pid });
    expect(board.notes[0]?.text).toBe("n");
    expect(board.edges[0]?.label).toBe("");
    expect(await s.viewer.canvas.comments({ projectId: s.pid, targetKey: key })).toHaveLength(1);
    await s.commenter.canvas.resolveComment({ projectId: s.pid, commentId: comment.id, resolved: true });
  });
});

describe("canvas.changes", () => {
  it("reports new messages, moves, notes, edges, comments and deletions since a cursor", async () => {
    const s = await setup();
    const board = await s.viewer.canvas.board({ projectId: s.pid });
    // rows older than the look-back window are not reported again
    const [{ old } = { old: new Date() }] = await queryRows<{ old: Date }>(database.db, sql`select clock_timestamp() - interval '1 minute' as old`);
    const quiet = await s.viewer.canvas.changes({ projectId: s.pid, since: board.cursor });
    expect(quiet.messages).toEqual([]);
    expect(quiet.positions).toEqual([]);
    expect((await s.viewer.canvas.changes({ projectId: s.pid, since: new Date(old) })).messages).toHaveLength(5);

    const [added] = await database.db
      .insert(messages)
      .values({ chatId: s.chat.id, parentId: s.messages.a2.id, role: "user", content: "And in full sun?" })
      .returning();
    await s.editor.canvas.moveNodes({ projectId: s.pid, moves: [{ key: `m:${s.messages.u1.id}`, x: 7, y: 8 }] });
    const note = await s.editor.canvas.addNote({ projectId: s.pid, text: "n", x: 0, y: 0 });
    const edge = await s.editor.canvas.createEdge({ projectId: s.pid, fromKey: note.key, toKey: `m:${s.messages.u1.id}`, label: "l" });
    await s.commenter.canvas.addComment({ projectId: s.pid, targetKey: note.key, body: "hi" });

    const changes = await s.viewer.canvas.changes({ projectId: s.pid, since: board.cursor });
    expect(changes.cursor.getTime()).toBeGreaterThanOrEqual(board.cursor.getTime());
    expect(changes.messages.map((m) => m.id)).toEqual([added?.id]);
    expect(changes.branches.map((b) => b.title).sort()).toEqual(["Fork", "Main"]);
    expect(changes.positions).toMatchObject([{ key: `m:${s.messages.u1.id}`, x: 7, y: 8 }]);
    expect(changes.notes).toMatchObject([{ id: note.id, deleted: false }]);
    expect(changes.edges).toMatchObject([{ id: edge.id, label: "l", deleted: false }]);
    expect(changes.commentCounts).toEqual([{ targetKey: note.key, total: 1, open: 1 }]);

    await s.editor.canvas.deleteNote({ projectId: s.pid, noteId: note.id });
    const after = await s.viewer.canvas.changes({ projectId: s.pid, since: changes.cursor });
    expect(after.notes).toMatchObject([{ id: note.id, deleted: true }]);
    expect(after.edges).toMatchObject([{ id: edge.id, deleted: true }]);
  });

  it("refreshes watched messages (answers still streaming) whatever their age", async () => {
    const s = await setup();
    await database.db.update(messages).set({ status: "streaming" }).where(eq(messages.id, s.messages.a2b.id));
    const board = await s.viewer.canvas.board({ projectId: s.pid });
    await database.db.update(messages).set({ status: "complete", content: "Done now." }).where(eq(messages.id, s.messages.a2b.id));
    const changes = await s.viewer.canvas.changes({ projectId: s.pid, since: board.cursor, watch: [s.messages.a2b.id] });
    expect(changes.messages).toMatchObject([{ id: s.messages.a2b.id, status: "complete", preview: "Done now." }]);
  });

  it("refuses strangers", async () => {
    const s = await setup();
    const stranger = createCaller(contextFor(database.db, await makeUser(database.db)));
    await expect(stranger.canvas.changes({ projectId: s.pid, since: new Date() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
