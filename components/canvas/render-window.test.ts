import type { Edge } from "@xyflow/react";
import { describe, expect, it } from "vitest";
import { buildScene, fitView, messageAt } from "./board-scene";
import { NODE_HEIGHT, NODE_WIDTH } from "./layout";
import { inWindow, needsNewWindow, viewportRect, windowAround } from "./render-window";
import type { FlowNode } from "./to-flow";

const message = (id: string, x: number, y: number, color = "#059669", current = false): FlowNode =>
  ({
    id: `m:${id}`,
    type: "message",
    position: { x, y },
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    data: { color, current } as never,
  }) as FlowNode;
const edge = (from: string, to: string, stroke = "#059669"): Edge => ({ id: `tree:${to}`, source: `m:${from}`, target: `m:${to}`, style: { stroke, strokeWidth: 1.5 } });

// a column of 100 messages, 200 px apart, and one far to the right
const column = Array.from({ length: 100 }, (_, i) => message(String(i), 0, i * 200));
const far = message("far", 50_000, 0);
const nodes = [...column, far];
const edges = [...column.slice(1).map((_, i) => edge(String(i), String(i + 1))), edge("0", "far")];

describe("render window", () => {
  it("turns React Flow's transform into the viewport in flow coordinates", () => {
    expect(viewportRect([-100, -200, 0.5], 1000, 500)).toEqual({ x: 200, y: 400, width: 2000, height: 1000 });
  });

  it("keeps the nodes around the viewport, the far ends of edges leaving it, and nothing else", () => {
    const window = windowAround({ x: 0, y: 0, width: 400, height: 400 });
    const shown = inWindow(nodes, edges, window);
    const ids = shown.nodes.map((n) => n.id);
    // window reaches 300 px below the 400 px viewport: messages at 0…600 touch it, 800 is the far end of an edge
    expect(ids).toEqual(["m:0", "m:1", "m:2", "m:3", "m:4", "m:far"]);
    expect(shown.edges.map((e) => e.id)).toEqual(["tree:1", "tree:2", "tree:3", "tree:4", "tree:far"]);
    expect(inWindow(nodes, edges, null)).toEqual({ nodes: [], edges: [] });
  });

  it("keeps a node being dragged even outside the window", () => {
    const dragged = { ...message("d", 90_000, 90_000), dragging: true } as FlowNode;
    expect(inWindow([dragged], [], windowAround({ x: 0, y: 0, width: 10, height: 10 })).nodes).toEqual([dragged]);
  });

  it("moves the window only when the viewport leaves it or zooming in shrank the view a lot", () => {
    const viewport = { x: 0, y: 0, width: 1000, height: 500 };
    const window = windowAround(viewport);
    expect(needsNewWindow(null, viewport)).toBe(true);
    expect(needsNewWindow(window, { ...viewport, x: 300 })).toBe(false);
    expect(needsNewWindow(window, { ...viewport, x: 900 })).toBe(true);
    expect(needsNewWindow(window, { x: 0, y: 0, width: 200, height: 100 })).toBe(true);
  });
});

describe("board scene", () => {
  it("batches boxes by look, current branch on top, lines from parent bottom to child top, and finds a box under a point", () => {
    const scene = buildScene([message("a", 0, 0, "#111111", true), message("b", 0, 200, "#111111", true), message("c", 300, 200, "#222222")], [edge("a", "b", "#111111"), edge("a", "c", "#222222")]);
    expect(scene.bounds).toEqual({ x: 0, y: 0, width: 300 + NODE_WIDTH, height: 200 + NODE_HEIGHT });
    const looks = scene.boxes.map((b) => [b.fill, b.alpha, b.boxes.length / 4]);
    expect(looks).toEqual([
      ["#222222", 0.5, 1],
      ["#111111", 0.95, 2],
    ]);
    const dark = scene.lines.find((l) => l.color === "#111111");
    expect(dark?.segments).toEqual([NODE_WIDTH / 2, NODE_HEIGHT, NODE_WIDTH / 2, 200]);
    expect(messageAt(scene, 310, 210)).toBe("m:c");
    expect(messageAt(scene, 250, 100)).toBeNull();
  });

  it("fits bounds into a box with padding, centred", () => {
    const v = fitView({ x: 0, y: 0, width: 1000, height: 100 }, 200, 120, 10);
    expect(v.zoom).toBeCloseTo(0.18);
    expect(v.x).toBeCloseTo(10);
    expect(v.y).toBeCloseTo(60 - 50 * 0.18);
  });
});
