import { describe, expect, it } from "vitest";
import { boardFromWire, boardToWire } from "./board-wire";
import type { BoardData } from "./types";

describe("board wire format", () => {
  it("round-trips a board, dates included, and leaves text that looks like a date alone", () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    const board = {
      cursor: at,
      role: "owner",
      chats: [{ id: "c", title: "2026-01-01T00:00:00Z plans", createdAt: at, updatedAt: at }],
      messages: [
        { id: "m", chatId: "c", parentId: null, mergeParentId: null, role: "user", preview: "2026-05-05T10:00:00Z", status: "complete", tier: null, model: null, agent: "Soil scientist", deleted: false, createdAt: at },
        // a merge keeps its second parent across the wire
        { id: "j", chatId: "c", parentId: "m", mergeParentId: "m2", role: "user", preview: "join", status: "complete", tier: null, model: null, agent: null, deleted: false, createdAt: at },
      ],
      branches: [{ id: "b", chatId: "c", title: "Main", tipMessageId: "m", forkMessageId: null, parentBranchId: null, status: "active", createdAt: at, updatedAt: at }],
      sources: [],
      notes: [{ id: "n", text: "x", x: 1.5, y: -2, locked: false, style: { color: "#fff" }, deleted: false, updatedAt: at }],
      positions: [],
      citations: [],
      edges: [{ id: "e", fromKey: "n:n", toKey: "m:m", label: "why", style: {}, authorId: null, deleted: false, updatedAt: at }],
      commentCounts: [],
    } as unknown as BoardData;
    const back = boardFromWire(boardToWire(board));
    expect(back).toEqual(board);
    expect(back.messages[0]?.createdAt).toBeInstanceOf(Date);
    expect(back.messages[0]?.preview).toBe("2026-05-05T10:00:00Z");
    expect(back.chats[0]?.title).toBe("2026-01-01T00:00:00Z plans");
    expect(back.branches[0]?.updatedAt).toBeInstanceOf(Date);
    expect(back.cursor).toBeInstanceOf(Date);
  });
});
