import { describe, expect, it } from "vitest";
import { colorBranches, UNBRANCHED_COLOR } from "./branch-colors";
import { type LaidOutNode, type LayoutMessage, layoutBoard, NODE_HEIGHT, NODE_WIDTH } from "./layout";

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n));
const msg = (id: string, chatId: string, parentId: string | null, second: number): LayoutMessage => ({ id, chatId, parentId, createdAt: at(second) });
const byKey = (nodes: LaidOutNode[]) => new Map(nodes.map((n) => [n.key, n]));
const overlaps = (a: LaidOutNode, b: LaidOutNode) => Math.abs(a.x - b.x) < NODE_WIDTH && Math.abs(a.y - b.y) < NODE_HEIGHT;

//   a ─ b ─ c
//        └─ d ─ e      (a fork at b)
const chatOne = [msg("a", "c1", null, 1), msg("b", "c1", "a", 2), msg("c", "c1", "b", 3), msg("d", "c1", "b", 4), msg("e", "c1", "d", 5)];

describe("layoutBoard", () => {
  it("places each chat top-down under its header, children below parents, siblings apart in creation order", () => {
    const { nodes } = layoutBoard({ chats: [{ id: "c1" }], messages: chatOne });
    const n = byKey(nodes);
    expect(nodes.map((x) => x.key).sort()).toEqual(["c:c1", "m:a", "m:b", "m:c", "m:d", "m:e"]);
    const y = (k: string) => n.get(k)?.y ?? Number.NaN;
    const x = (k: string) => n.get(k)?.x ?? Number.NaN;
    expect(y("c:c1")).toBeLessThan(y("m:a"));
    expect(y("m:a")).toBeLessThan(y("m:b"));
    expect(y("m:c")).toBe(y("m:d"));
    expect(x("m:c")).toBeLessThan(x("m:d")); // older sibling on the left
    expect(y("m:e")).toBeGreaterThan(y("m:d"));
    for (const a of nodes) for (const b of nodes) if (a !== b) expect(overlaps(a, b)).toBe(false);
  });

  it("puts chats side by side without overlap and sources in a column beside them", () => {
    const two = [...chatOne, msg("p", "c2", null, 1), msg("q", "c2", "p", 2), msg("r", "c2", "p", 3)];
    const { nodes, chatBounds } = layoutBoard({ chats: [{ id: "c1" }, { id: "c2" }], messages: two, sources: [{ id: "s1" }, { id: "s2" }] });
    const one = chatBounds.get("c1");
    const other = chatBounds.get("c2");
    if (!one || !other) throw new Error("missing chat bounds");
    expect(one.x + one.width).toBeLessThan(other.x);
    const n = byKey(nodes);
    const s1 = n.get("s:s1");
    const s2 = n.get("s:s2");
    expect(s1?.x).toBeGreaterThan(other.x + other.width);
    expect(s1?.x).toBe(s2?.x);
    expect(s2?.y).toBeGreaterThan(s1?.y ?? 0);
    for (const a of nodes) for (const b of nodes) if (a !== b) expect(overlaps(a, b)).toBe(false);
  });

  it("leaves out collapsed subtrees and collapsed chats, counting what is hidden", () => {
    const { nodes } = layoutBoard({ chats: [{ id: "c1" }], messages: chatOne, collapsedMessages: new Set(["b"]) });
    expect(nodes.map((x) => x.key).sort()).toEqual(["c:c1", "m:a", "m:b"]);
    const b = byKey(nodes).get("m:b");
    expect(b?.kind === "message" && b.hiddenDescendants).toBe(3);
    expect(b?.kind === "message" && b.collapsed).toBe(true);

    const collapsed = layoutBoard({ chats: [{ id: "c1" }], messages: chatOne, collapsedChats: new Set(["c1"]) });
    expect(collapsed.nodes).toHaveLength(1);
    expect(collapsed.nodes[0]).toMatchObject({ kind: "chat", collapsed: true, messageCount: 5 });
  });

  it("lets stored positions win over the layout", () => {
    const positions = new Map([
      ["m:c", { x: 5000, y: -40 }],
      ["s:s1", { x: -300, y: 12 }],
    ]);
    const n = byKey(layoutBoard({ chats: [{ id: "c1" }], messages: chatOne, sources: [{ id: "s1" }], positions }).nodes);
    expect(n.get("m:c")).toMatchObject({ x: 5000, y: -40 });
    expect(n.get("s:s1")).toMatchObject({ x: -300, y: 12 });
  });

  it("hangs a message whose parent is missing off the chat header instead of dropping it", () => {
    const { nodes } = layoutBoard({ chats: [{ id: "c1" }], messages: [msg("x", "c1", "gone", 1)] });
    expect(nodes.map((n) => n.key).sort()).toEqual(["c:c1", "m:x"]);
  });

  it("handles a 5,000-message linear chat (no recursion limits)", () => {
    const long: LayoutMessage[] = [];
    for (let i = 0; i < 5000; i++) long.push(msg(`m${i}`, "c1", i === 0 ? null : `m${i - 1}`, i));
    const { nodes } = layoutBoard({ chats: [{ id: "c1" }], messages: long });
    expect(nodes).toHaveLength(5001);
  });
});

describe("colorBranches", () => {
  const branches = [
    { id: "main", chatId: "c1", tipMessageId: "c", forkMessageId: null, createdAt: at(1), updatedAt: at(3), status: "active" },
    { id: "fork", chatId: "c1", tipMessageId: "e", forkMessageId: "b", createdAt: at(4), updatedAt: at(9), status: "active" },
  ];

  it("gives the trunk to the oldest branch and the fork only what it added; marks fork points", () => {
    const c = colorBranches(chatOne, branches);
    expect(["a", "b", "c"].map((m) => c.owner.get(m))).toEqual(["main", "main", "main"]);
    expect(["d", "e"].map((m) => c.owner.get(m))).toEqual(["fork", "fork"]);
    expect(c.color.get("main")).not.toBe(c.color.get("fork"));
    expect([...c.forkPoints]).toEqual(["b"]);
  });

  it("highlights the most recently updated branch unless one is asked for", () => {
    const latest = colorBranches(chatOne, branches);
    expect(latest.current.get("c1")).toBe("fork");
    expect([...latest.currentPath].sort()).toEqual(["a", "b", "d", "e"]);
    const asked = colorBranches(chatOne, branches, "main");
    expect([...asked.currentPath].sort()).toEqual(["a", "b", "c"]);
  });

  it("leaves messages no branch reaches grey", () => {
    const c = colorBranches([...chatOne, msg("z", "c1", "a", 6)], branches);
    expect(c.owner.has("z")).toBe(false);
    expect(UNBRANCHED_COLOR).toMatch(/^#/);
  });
});
