import { describe, expect, it } from "vitest";
import { isQuiet, mergeChanges } from "./merge-changes";
import { neighbour } from "./navigation";
import type { FlowNode } from "./to-flow";
import type { BoardChangesData, BoardData, BoardMessage } from "./types";

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const message = (id: string, parentId: string | null, s: number, extra: Partial<BoardMessage> = {}): BoardMessage => ({
  id,
  chatId: "c1",
  parentId,
  mergeParentId: null,
  role: "user",
  preview: id,
  status: "complete",
  tier: null,
  model: null,
  agent: null,
  deleted: false,
  createdAt: t(s),
  ...extra,
});
const chat = { id: "c1", title: "Chat", createdAt: t(0), updatedAt: t(0) };

function board(): BoardData {
  return {
    cursor: t(10),
    role: "viewer",
    userId: "u1",
    chats: [chat],
    messages: [message("a", null, 1), message("b", "a", 2, { status: "streaming" })],
    branches: [],
    sources: [{ id: "s1", title: "Guide", mediaType: "text/plain", summary: null }],
    notes: [{ id: "n1", text: "note", x: 0, y: 0, locked: false, style: {}, deleted: false, updatedAt: t(1) }],
    positions: [],
    citations: [{ messageId: "b", sourceId: "s1", relevance: 0.5 }],
    edges: [{ id: "e1", fromKey: "n:n1", toKey: "m:a", label: "x", style: {}, authorId: null, deleted: false, updatedAt: t(1) }],
    commentCounts: [{ targetKey: "m:a", total: 2, open: 1 }],
  };
}

function quiet(b: BoardData): BoardChangesData {
  return {
    cursor: t(20),
    chats: b.chats,
    sources: b.sources,
    messages: [],
    branches: [],
    notes: [],
    positions: [],
    citations: [],
    edges: [],
    commentCounts: [],
    commentTargets: [],
    trashMoved: false,
  };
}

describe("mergeChanges", () => {
  it("upserts messages by id, replaces their citations, drops deleted notes and edges, updates comment counts", () => {
    const b = board();
    const changes: BoardChangesData = {
      ...quiet(b),
      messages: [message("b", "a", 2, { status: "complete", preview: "done" }), message("c", "b", 3)],
      notes: [{ ...b.notes[0], deleted: true } as BoardData["notes"][number]],
      positions: [{ key: "m:a", x: 5, y: 6, locked: true, style: {}, updatedAt: t(15) }],
      citations: [],
      edges: [{ ...(b.edges[0] as BoardData["edges"][number]), deleted: true }],
      commentCounts: [],
      commentTargets: ["m:a"],
      trashMoved: false,
    };
    expect(isQuiet(changes, b)).toBe(false);
    const merged = mergeChanges(b, changes);
    expect(merged.messages.map((m) => [m.id, m.status])).toEqual([
      ["a", "complete"],
      ["b", "complete"],
      ["c", "complete"],
    ]);
    expect(merged.citations).toEqual([]);
    expect(merged.notes).toEqual([]);
    expect(merged.edges).toEqual([]);
    expect(merged.positions).toMatchObject([{ key: "m:a", x: 5, locked: true }]);
    expect(merged.commentCounts).toEqual([]);
    expect(merged.cursor).toEqual(t(20));
  });

  it("treats a poll with nothing new as quiet, and a deleted chat as a change that removes its messages", () => {
    const b = board();
    expect(isQuiet(quiet(b), b)).toBe(true);
    const gone = { ...quiet(b), chats: [] };
    expect(isQuiet(gone, b)).toBe(false);
    expect(mergeChanges(b, gone).messages).toEqual([]);
  });
});

describe("keyboard neighbour", () => {
  const b = { chats: [chat], messages: [message("a", null, 1), message("b", "a", 2), message("c", "a", 3), message("d", "c", 4)] };
  const node = (id: string, current = false): FlowNode =>
    ({ id: `m:${id}`, type: "message", position: { x: 0, y: 0 }, data: { current } }) as unknown as FlowNode;
  const nodes = [{ id: "c:c1", type: "chat", position: { x: 0, y: 0 }, data: {} } as unknown as FlowNode, node("a", true), node("b"), node("c", true), node("d", true)];
  const visible = new Set(nodes.map((n) => n.id));

  it("moves up to the parent, down to the child on the current branch, sideways between siblings", () => {
    expect(neighbour(b, nodes, "m:b", "up", visible)).toBe("m:a");
    expect(neighbour(b, nodes, "m:a", "up", visible)).toBe("c:c1");
    expect(neighbour(b, nodes, "m:a", "down", visible)).toBe("m:c");
    expect(neighbour(b, nodes, "m:b", "right", visible)).toBe("m:c");
    expect(neighbour(b, nodes, "m:c", "left", visible)).toBe("m:b");
    expect(neighbour(b, nodes, "m:c", "right", visible)).toBeNull();
    expect(neighbour(b, nodes, "c:c1", "down", visible)).toBe("m:a");
    expect(neighbour(b, nodes, null, "down", visible)).toBe("m:a");
  });

  it("skips hidden (collapsed) children", () => {
    const someHidden = new Set(["c:c1", "m:a", "m:b"]);
    expect(neighbour(b, nodes, "m:a", "down", someHidden)).toBe("m:b");
  });
});
