import type { Edge } from "@xyflow/react";
import { NODE_HEIGHT, NODE_WIDTH } from "./layout";
import type { FlowNode } from "./to-flow";

/**
 * The board as plain shapes for a <canvas>: the minimap and the zoomed-out
 * overview draw every node and tree edge this way. Thousands of DOM nodes
 * cannot pan at 60 fps, and React Flow's own minimap re-runs one store
 * selector per node on every frame; a canvas draws 5,000 boxes in about a
 * millisecond. Pure data (no DOM), so it is built and tested anywhere.
 */

/** Boxes of one look: x, y, width, height, four numbers per box, in flow coordinates. */
export type BoxBatch = { fill: string; alpha: number; stroke: string | null; boxes: number[] };
/** Straight segments of one look: x1, y1, x2, y2 per segment; `width` is in screen pixels. */
export type LineBatch = { color: string; alpha: number; width: number; dash: boolean; segments: number[] };
export type SceneBox = { key: string; x: number; y: number; width: number; height: number };
export type BoardScene = {
  bounds: { x: number; y: number; width: number; height: number } | null;
  /** drawn in order: frames first, so everything else sits on top */
  boxes: BoxBatch[];
  lines: LineBatch[];
  /** message boxes, for pointing at one in the overview */
  messages: SceneBox[];
};
export type View = { x: number; y: number; zoom: number };

const FRAME_FILL = "#f4f4f5";
const SOURCE_FILL = "#6ee7b7";
const NOTE_FILL = "#fde047";
const CHAT_FILL = "#a1a1aa";

function size(node: FlowNode): { width: number; height: number } {
  return {
    width: node.measured?.width ?? node.width ?? node.initialWidth ?? NODE_WIDTH,
    height: node.measured?.height ?? node.height ?? node.initialHeight ?? NODE_HEIGHT,
  };
}

export function buildScene(nodes: readonly FlowNode[], edges: readonly Edge[]): BoardScene {
  const batches = new Map<string, BoxBatch>();
  const batch = (fill: string, alpha: number, stroke: string | null) => {
    const id = `${fill}|${alpha}|${stroke}`;
    let b = batches.get(id);
    if (!b) {
      b = { fill, alpha, stroke, boxes: [] };
      batches.set(id, b);
    }
    return b;
  };
  const frames = batch(FRAME_FILL, 1, "#d4d4d8");
  const sources = batch(SOURCE_FILL, 1, null);
  const notes = batch(NOTE_FILL, 1, null);
  const chats = batch(CHAT_FILL, 1, null);
  // messages: one faint and one strong batch per branch colour, found without building a key string per node
  const byColor = new Map<string, [faint: BoxBatch, strong: BoxBatch]>();
  const messageBatch = (color: string, current: boolean) => {
    let pair = byColor.get(color);
    if (!pair) {
      pair = [batch(color, 0.5, null), batch(color, 0.95, null)];
      byColor.set(color, pair);
    }
    return pair[current ? 1 : 0];
  };
  const messages: SceneBox[] = [];
  const byId = new Map<string, { x: number; y: number; width: number; height: number }>();
  let left = Number.POSITIVE_INFINITY;
  let top = Number.POSITIVE_INFINITY;
  let right = Number.NEGATIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;

  for (const node of nodes) {
    const { width, height } = size(node);
    const { x, y } = node.position;
    byId.set(node.id, { x, y, width, height });
    left = Math.min(left, x);
    top = Math.min(top, y);
    right = Math.max(right, x + width);
    bottom = Math.max(bottom, y + height);
    const target =
      node.type === "frame"
        ? frames
        : node.type === "message"
          ? messageBatch(node.data.color, node.data.current)
          : node.type === "source"
            ? sources
            : node.type === "note"
              ? notes
              : chats;
    target.boxes.push(x, y, width, height);
    if (node.type === "message") messages.push({ key: node.id, x, y, width, height });
  }

  const lineBatches = new Map<string, Map<number, LineBatch>>();
  for (const edge of edges) {
    const from = byId.get(edge.source);
    const to = byId.get(edge.target);
    if (!from || !to) continue;
    const style = (edge.style ?? {}) as { stroke?: string; strokeWidth?: number; strokeDasharray?: string; opacity?: number };
    const color = style.stroke ?? "#a1a1aa";
    const width = Math.max(1, Math.min(3, (style.strokeWidth ?? 1.5) * 0.6));
    const alpha = style.opacity ?? 1;
    const dash = !!style.strokeDasharray;
    // nested lookups rather than a key string per edge (thousands of them)
    let byLook = lineBatches.get(color);
    if (!byLook) {
      byLook = new Map();
      lineBatches.set(color, byLook);
    }
    const look = Math.round(width * 100) * 1000 + Math.round(alpha * 100) * 2 + (dash ? 1 : 0);
    let lines = byLook.get(look);
    if (!lines) {
      lines = { color, alpha, width, dash, segments: [] };
      byLook.set(look, lines);
    }
    // parent's bottom centre to child's top centre, where the tree's handles are
    lines.segments.push(from.x + from.width / 2, from.y + from.height, to.x + to.width / 2, to.y);
  }

  // frames under everything, then the faint boxes, then the current branch on top
  const boxes = [frames, ...[...batches.values()].filter((b) => b !== frames).sort((a, b) => a.alpha - b.alpha)];
  return {
    bounds: nodes.length === 0 ? null : { x: left, y: top, width: right - left, height: bottom - top },
    boxes: boxes.filter((b) => b.boxes.length > 0),
    lines: [...lineBatches.values()].flatMap((m) => [...m.values()]).sort((a, b) => a.width - b.width),
    messages,
  };
}

/** The message box under a point in flow coordinates, if any (the last drawn wins, like on screen). */
export function messageAt(scene: BoardScene, x: number, y: number): string | null {
  for (let i = scene.messages.length - 1; i >= 0; i--) {
    const m = scene.messages[i];
    if (m && x >= m.x && x <= m.x + m.width && y >= m.y && y <= m.y + m.height) return m.key;
  }
  return null;
}

/** The view that fits `bounds` into a width × height box with `pad` pixels around it. */
export function fitView(bounds: NonNullable<BoardScene["bounds"]>, width: number, height: number, pad: number): View {
  const zoom = Math.min((width - pad * 2) / Math.max(bounds.width, 1), (height - pad * 2) / Math.max(bounds.height, 1));
  return { zoom, x: width / 2 - (bounds.x + bounds.width / 2) * zoom, y: height / 2 - (bounds.y + bounds.height / 2) * zoom };
}

/**
 * Draws the scene through `view` (screen = flow × zoom + offset) onto a
 * canvas whose backing store is `ratio` times its CSS size. Lines keep their
 * on-screen width at any zoom; boxes get at least a pixel so none vanish.
 */
export function drawScene(ctx: CanvasRenderingContext2D, scene: BoardScene, view: View, ratio: number) {
  const { zoom } = view;
  ctx.setTransform(ratio * zoom, 0, 0, ratio * zoom, ratio * view.x, ratio * view.y);
  const minSide = 1 / zoom;
  for (const b of scene.boxes) {
    ctx.globalAlpha = b.alpha;
    ctx.fillStyle = b.fill;
    ctx.beginPath();
    const v = b.boxes;
    for (let i = 0; i + 3 < v.length; i += 4) {
      ctx.rect(v[i] as number, v[i + 1] as number, Math.max(v[i + 2] as number, minSide), Math.max(v[i + 3] as number, minSide));
    }
    ctx.fill();
    if (b.stroke) {
      ctx.strokeStyle = b.stroke;
      ctx.lineWidth = 1 / zoom;
      ctx.stroke();
    }
  }
  for (const l of scene.lines) {
    ctx.globalAlpha = l.alpha;
    ctx.strokeStyle = l.color;
    ctx.lineWidth = l.width / zoom;
    ctx.setLineDash(l.dash ? [3 / zoom, 3 / zoom] : []);
    ctx.beginPath();
    const s = l.segments;
    for (let i = 0; i + 3 < s.length; i += 4) {
      ctx.moveTo(s[i] as number, s[i + 1] as number);
      ctx.lineTo(s[i + 2] as number, s[i + 3] as number);
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
}
