import type { Edge, Node } from "@xyflow/react";
import { MarkerType, Position } from "@xyflow/react";
import { colorBranches, messageColor } from "./branch-colors";
import { CHAT_HEADER_HEIGHT, layoutBoard, NODE_HEIGHT, NODE_WIDTH, type Point } from "./layout";
import type { BoardData, BoardMessage, EdgeStyle } from "./types";

/**
 * Board data + what the viewer collapsed → React Flow nodes and edges. Pure,
 * so one place decides colours, the current branch and what is hidden.
 */

export type MessageNodeData = {
  message: BoardMessage;
  color: string;
  current: boolean;
  fork: boolean;
  comments: number;
  openComments: number;
  childCount: number;
  collapsed: boolean;
  hiddenDescendants: number;
  locked: boolean;
};
export type ChatNodeData = { chatId: string; title: string; summary: string; keywords: string[]; messageCount: number; collapsed: boolean; color: string; locked: boolean };
export type SourceNodeData = { sourceId: string; title: string; mediaType: string; comments: number; openComments: number; locked: boolean };
export type NoteNodeData = { noteId: string; text: string; comments: number; openComments: number; locked: boolean };
export type FrameNodeData = { title: string };

export type MessageFlowNode = Node<MessageNodeData, "message">;
export type ChatFlowNode = Node<ChatNodeData, "chat">;
export type SourceFlowNode = Node<SourceNodeData, "source">;
export type NoteFlowNode = Node<NoteNodeData, "note">;
export type FrameFlowNode = Node<FrameNodeData, "frame">;
export type FlowNode = MessageFlowNode | ChatFlowNode | SourceFlowNode | NoteFlowNode | FrameFlowNode;

export type FlowOptions = {
  collapsedChats: ReadonlySet<string>;
  collapsedMessages: ReadonlySet<string>;
  showCitations: boolean;
  requestedBranchId: string | null;
  /** positions the viewer just dropped, shown before the server confirms them */
  pendingPositions: ReadonlyMap<string, Point>;
  /** a node's own `draggable` overrides the board's, so roles are applied per node */
  canEdit: boolean;
};

const FRAME_PAD = 24;
/** The 10 px handles the node components draw (flow-nodes.tsx), centred on the top and bottom edges. */
const HANDLE_SIZE = 10;

/**
 * Where a fixed-size node's handles are, given up front. React Flow renders
 * every node once to measure it unless it already knows its handles, which
 * for 5,000 messages is one multi-second render of nodes nobody can see;
 * with these only the nodes in view are ever mounted.
 */
function fixedHandles(width: number, height: number): NonNullable<Node["handles"]> {
  const x = width / 2 - HANDLE_SIZE / 2;
  // id null, exactly as a <Handle> without an id: React Flow finds the drop target's element by it
  return [
    { id: null, type: "target", position: Position.Top, x, y: -HANDLE_SIZE / 2, width: HANDLE_SIZE, height: HANDLE_SIZE },
    { id: null, type: "source", position: Position.Bottom, x, y: height - HANDLE_SIZE / 2, width: HANDLE_SIZE, height: HANDLE_SIZE },
  ];
}
const MESSAGE_HANDLES = fixedHandles(NODE_WIDTH, NODE_HEIGHT);
const MESSAGE_SIZE = { width: NODE_WIDTH, height: NODE_HEIGHT };

export function boardToFlow(board: Pick<BoardData, "chats" | "messages" | "branches" | "sources" | "notes" | "positions" | "citations" | "edges" | "commentCounts">, options: FlowOptions) {
  const positions = new Map<string, Point>();
  const locked = new Set<string>();
  for (const p of board.positions) {
    positions.set(p.key, { x: p.x, y: p.y });
    if (p.locked) locked.add(p.key);
  }
  for (const [key, p] of options.pendingPositions) positions.set(key, p);

  const coloring = colorBranches(board.messages, board.branches, options.requestedBranchId);
  const layout = layoutBoard({
    chats: board.chats,
    messages: board.messages,
    sources: board.sources,
    positions,
    collapsedChats: options.collapsedChats,
    collapsedMessages: options.collapsedMessages,
  });

  const counts = new Map(board.commentCounts.map((c) => [c.targetKey, c]));
  const messageById = new Map(board.messages.map((m) => [m.id, m]));
  const childCount = new Map<string, number>();
  for (const m of board.messages) if (m.parentId) childCount.set(m.parentId, (childCount.get(m.parentId) ?? 0) + 1);
  const chatTitle = new Map(board.chats.map((c) => [c.id, c.title]));
  const chatDigest = new Map(board.chats.map((c) => [c.id, { summary: c.summary ?? "", keywords: c.keywords ?? [] }]));
  const sourceById = new Map(board.sources.map((s) => [s.id, s]));

  const nodes: FlowNode[] = [];
  const visible = new Set<string>();

  for (const [chatId, b] of layout.chatBounds) {
    if (options.collapsedChats.has(chatId)) continue;
    nodes.push({
      id: `frame:${chatId}`,
      type: "frame",
      position: { x: b.x - FRAME_PAD, y: b.y - FRAME_PAD },
      width: b.width + FRAME_PAD * 2,
      height: b.height + FRAME_PAD * 2,
      data: { title: chatTitle.get(chatId) ?? "" },
      draggable: false,
      selectable: false,
      connectable: false,
      focusable: false,
      zIndex: -1,
      // a backdrop: clicks and drags fall through to the pane
      style: { pointerEvents: "none" },
    });
  }

  for (const n of layout.nodes) {
    visible.add(n.key);
    const isLocked = locked.has(n.key);
    if (n.kind === "chat") {
      const current = coloring.current.get(n.chatId);
      nodes.push({
        id: n.key,
        type: "chat",
        position: { x: n.x, y: n.y },
        data: {
          chatId: n.chatId,
          title: chatTitle.get(n.chatId) ?? "Chat",
          summary: chatDigest.get(n.chatId)?.summary ?? "",
          keywords: chatDigest.get(n.chatId)?.keywords ?? [],
          messageCount: n.messageCount,
          collapsed: n.collapsed,
          color: (current && coloring.color.get(current)) || "#71717a",
          locked: isLocked,
        },
        draggable: options.canEdit && !isLocked,
        connectable: false,
        width: NODE_WIDTH,
        initialHeight: CHAT_HEADER_HEIGHT,
      });
    } else if (n.kind === "message") {
      const message = messageById.get(n.id);
      if (!message) continue;
      const c = counts.get(n.key);
      nodes.push({
        id: n.key,
        type: "message",
        position: { x: n.x, y: n.y },
        data: {
          message,
          color: messageColor(coloring, n.id),
          current: coloring.currentPath.has(n.id),
          fork: coloring.forkPoints.has(n.id),
          comments: c?.total ?? 0,
          openComments: c?.open ?? 0,
          childCount: childCount.get(n.id) ?? 0,
          collapsed: n.collapsed,
          hiddenDescendants: n.hiddenDescendants,
          locked: isLocked,
        },
        draggable: options.canEdit && !isLocked,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        handles: MESSAGE_HANDLES,
        measured: MESSAGE_SIZE,
      });
    } else {
      const source = sourceById.get(n.id);
      if (!source) continue;
      const c = counts.get(n.key);
      nodes.push({
        id: n.key,
        type: "source",
        position: { x: n.x, y: n.y },
        data: { sourceId: source.id, title: source.title, mediaType: source.mediaType, comments: c?.total ?? 0, openComments: c?.open ?? 0, locked: isLocked },
        draggable: options.canEdit && !isLocked,
        width: NODE_WIDTH,
        // sizes before first render, so off-screen nodes still count for visibility and fitting
        initialHeight: NODE_HEIGHT,
      });
    }
  }

  for (const note of board.notes) {
    const key = `n:${note.id}`;
    visible.add(key);
    const c = counts.get(key);
    const p = options.pendingPositions.get(key) ?? { x: note.x, y: note.y };
    nodes.push({
      id: key,
      type: "note",
      position: p,
      data: { noteId: note.id, text: note.text, comments: c?.total ?? 0, openComments: c?.open ?? 0, locked: note.locked },
      draggable: options.canEdit && !note.locked,
      width: NODE_WIDTH,
      initialHeight: NODE_HEIGHT,
    });
  }

  const edges: Edge[] = [];
  for (const m of board.messages) {
    const child = `m:${m.id}`;
    if (!visible.has(child)) continue;
    const parent = m.parentId && messageById.has(m.parentId) ? `m:${m.parentId}` : `c:${m.chatId}`;
    if (!visible.has(parent)) continue;
    const onCurrent = coloring.currentPath.has(m.id);
    const color = messageColor(coloring, m.id);
    edges.push({
      id: `tree:${m.id}`,
      source: parent,
      target: child,
      type: "smoothstep",
      selectable: false,
      deletable: false,
      focusable: false,
      style: { stroke: color, strokeWidth: onCurrent ? 3.5 : 1.5, opacity: onCurrent ? 1 : 0.7 },
    });
    // a merge: the join from its second parent (the layout places it under its first, as a tree)
    const joined = m.mergeParentId ? `m:${m.mergeParentId}` : null;
    if (joined && visible.has(joined)) {
      edges.push({
        id: `merge:${m.id}`,
        source: joined,
        target: child,
        type: "smoothstep",
        label: "merge",
        selectable: false,
        deletable: false,
        focusable: false,
        ariaLabel: "Merge join",
        style: { stroke: color, strokeWidth: onCurrent ? 3.5 : 2, strokeDasharray: "6 4", opacity: onCurrent ? 1 : 0.85 },
      });
    }
  }

  if (options.showCitations) {
    for (const c of board.citations) {
      const from = `m:${c.messageId}`;
      const to = `s:${c.sourceId}`;
      if (!visible.has(from) || !visible.has(to)) continue;
      edges.push({
        id: `cite:${c.messageId}:${c.sourceId}`,
        source: from,
        target: to,
        selectable: false,
        deletable: false,
        focusable: false,
        ariaLabel: "Cited source",
        style: { stroke: "#10b981", strokeDasharray: "2 4", strokeWidth: 1.2, opacity: 0.8 },
      });
    }
  }

  for (const e of board.edges) {
    if (!visible.has(e.fromKey) || !visible.has(e.toKey)) continue;
    const style = e.style as EdgeStyle;
    const color = style.color ?? "#52525b";
    edges.push({
      id: `user:${e.id}`,
      source: e.fromKey,
      target: e.toKey,
      label: e.label || undefined,
      deletable: false,
      ariaLabel: e.label ? `Edge: ${e.label}` : "Edge",
      labelStyle: { fill: "#18181b", fontSize: 12 },
      labelBgStyle: { fill: "#ffffff" },
      style: { stroke: color, strokeWidth: 2, strokeDasharray: style.line === "dashed" ? "6 4" : undefined },
      markerEnd: style.arrowEnd ? { type: MarkerType.ArrowClosed, color } : undefined,
      markerStart: style.arrowStart ? { type: MarkerType.ArrowClosed, color, orient: "auto-start-reverse" } : undefined,
      data: { edgeId: e.id },
    });
  }

  return { nodes, edges };
}

/** The box around every node, to open the board framed (fitView needs measured nodes; this does not). */
export function flowBounds(nodes: FlowNode[]): { x: number; y: number; width: number; height: number } | null {
  if (nodes.length === 0) return null;
  let left = Number.POSITIVE_INFINITY;
  let top = Number.POSITIVE_INFINITY;
  let right = Number.NEGATIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;
  for (const n of nodes) {
    const w = n.width ?? n.initialWidth ?? NODE_WIDTH;
    const h = n.height ?? n.initialHeight ?? NODE_HEIGHT;
    left = Math.min(left, n.position.x);
    top = Math.min(top, n.position.y);
    right = Math.max(right, n.position.x + w);
    bottom = Math.max(bottom, n.position.y + h);
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}
