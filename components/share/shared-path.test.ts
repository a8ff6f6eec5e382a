import { describe, expect, it } from "vitest";
import { newestLeafUnder, pathTo } from "./shared-path";

const m = (id: string, parentId: string | null, t: number) => ({ id, parentId, createdAt: `2026-01-01T00:00:0${t}Z` });
// q1 → a1 | a2 (a2 newer) ; a1 → q2 → a3
const tree = [m("q1", null, 0), m("a1", "q1", 1), m("a2", "q1", 2), m("q2", "a1", 3), m("a3", "q2", 4)];

describe("the shared line", () => {
  it("is the tip's ancestors, root first, each with its versions", () => {
    const path = pathTo(tree, "a3");
    expect(path.map((s) => s.message.id)).toEqual(["q1", "a1", "q2", "a3"]);
    expect(path[1]).toMatchObject({ siblingIds: ["a1", "a2"], index: 0 });
    expect(pathTo(tree, "a2").map((s) => s.message.id)).toEqual(["q1", "a2"]);
    expect(pathTo(tree, null)).toEqual([]);
    expect(pathTo(tree, "missing")).toEqual([]);
  });

  it("switching to a version continues down its newest descendants", () => {
    expect(newestLeafUnder(tree, "a1")).toBe("a3");
    expect(newestLeafUnder(tree, "a2")).toBe("a2");
  });
});
