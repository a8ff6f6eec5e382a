import type { Edge } from "@xyflow/react";
import { NODE_HEIGHT, NODE_WIDTH } from "./layout";
import type { FlowNode } from "./to-flow";

/**
 * Which part of the board React Flow is given. React Flow keeps every node
 * it is handed in its store and re-checks all of them (and every edge) on
 * each pan frame, so a 5,000-message board would cost milliseconds per frame
 * before anything is drawn. We hand it only the nodes inside a "window"
 * around the viewport — the viewport grown by WINDOW_MARGIN on every side —
 * and move the window only when the viewport leaves it, so panning inside it
 * never touches React Flow's node list at all.
 */

export type Rect = { x: number; y: number; width: number; height: number };

/** How far the window reaches past the viewport, in viewport sizes, on each side. */
export const WINDOW_MARGIN = 0.75;

/** The viewport in flow coordinates, from React Flow's transform and pane size. */
export function viewportRect([tx, ty, zoom]: readonly [number, number, number], width: number, height: number): Rect {
  return { x: -tx / zoom, y: -ty / zoom, width: width / zoom, height: height / zoom };
}

export function windowAround(viewport: Rect, margin = WINDOW_MARGIN): Rect {
  return {
    x: viewport.x - viewport.width * margin,
    y: viewport.y - viewport.height * margin,
    width: viewport.width * (1 + margin * 2),
    height: viewport.height * (1 + margin * 2),
  };
}

/**
 * A new window is needed when the viewport pokes out of the current one, or
 * when zooming in made the window needlessly large (many nodes kept for
 * nothing).
 */
export function needsNewWindow(current: Rect | null, viewport: Rect): boolean {
  if (!current) return true;
  const inside =
    viewport.x >= current.x &&
    viewport.y >= current.y &&
    viewport.x + viewport.width <= current.x + current.width &&
    viewport.y + viewport.height <= current.y + current.height;
  if (!inside) return true;
  const grown = windowAround(viewport);
  return current.width * current.height > grown.width * grown.height * 4;
}

const overlaps = (r: Rect, x: number, y: number, w: number, h: number) => x < r.x + r.width && x + w > r.x && y < r.y + r.height && y + h > r.y;

/**
 * The nodes that touch the window, plus the far ends of any edge that has one
 * end inside (so a line leaving the screen still goes somewhere), plus any
 * node being dragged; and the edges between them. Order is kept.
 */
export function inWindow(nodes: readonly FlowNode[], edges: readonly Edge[], window: Rect | null): { nodes: FlowNode[]; edges: Edge[] } {
  if (!window) return { nodes: [], edges: [] };
  const keep = new Set<string>();
  for (const n of nodes) {
    const w = n.measured?.width ?? n.width ?? n.initialWidth ?? NODE_WIDTH;
    const h = n.measured?.height ?? n.height ?? n.initialHeight ?? NODE_HEIGHT;
    if (n.dragging || overlaps(window, n.position.x, n.position.y, w, h)) keep.add(n.id);
  }
  const shownEdges: Edge[] = [];
  const ends = new Set<string>();
  for (const e of edges) {
    const source = keep.has(e.source);
    const target = keep.has(e.target);
    if (!source && !target) continue;
    shownEdges.push(e);
    if (!source) ends.add(e.source);
    if (!target) ends.add(e.target);
  }
  for (const key of ends) keep.add(key);
  return { nodes: nodes.filter((n) => keep.has(n.id)), edges: shownEdges };
}
