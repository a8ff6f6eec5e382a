import { hierarchy, tree } from "d3-hierarchy";

/**
 * The board's automatic placement: a tidy tree per chat, top-down, chats side
 * by side, sources in a column beside them. Pure (no React, no database) so the
 * browser, the server and the benchmark run the very same code.
 *
 * d3-hierarchy's Reingold–Tilford layout is linear: ~26 ms for 10,000 nodes
 * on our machines, where dagre/elkjs need seconds (docs/canvas.md#large-boards).
 * @see https://d3js.org/d3-hierarchy/tree
 */

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 76;
export const CHAT_HEADER_HEIGHT = 44;
const GAP_X = 36;
const GAP_Y = 56;
const CHAT_GAP = 140;
const SOURCE_GAP_Y = 24;

export type LayoutChat = { id: string };
export type LayoutMessage = { id: string; chatId: string; parentId: string | null; createdAt: Date | string | number };
export type LayoutSource = { id: string };
export type Point = { x: number; y: number };

export type LayoutInput = {
  chats: LayoutChat[];
  messages: LayoutMessage[];
  sources?: LayoutSource[];
  /** stored positions by canvas key ("m:<id>", "s:<id>", "c:<chatId>"); they win over the layout */
  positions?: ReadonlyMap<string, Point>;
  collapsedChats?: ReadonlySet<string>;
  /** messages whose descendants are hidden (the message itself stays) */
  collapsedMessages?: ReadonlySet<string>;
};

export type LaidOutNode =
  | { key: string; kind: "chat"; chatId: string; x: number; y: number; collapsed: boolean; messageCount: number }
  | { key: string; kind: "message"; id: string; chatId: string; x: number; y: number; hiddenDescendants: number; collapsed: boolean }
  | { key: string; kind: "source"; id: string; x: number; y: number };

export type Layout = {
  nodes: LaidOutNode[];
  /** each visible chat's extent, for drawing its group frame */
  chatBounds: Map<string, { x: number; y: number; width: number; height: number }>;
};

type TreeDatum = { key: string; id: string; children: TreeDatum[]; createdAt: number };

const time = (value: Date | string | number) => (value instanceof Date ? value.getTime() : new Date(value).getTime());

export function layoutBoard(input: LayoutInput): Layout {
  const positions = input.positions ?? new Map<string, Point>();
  const collapsedChats = input.collapsedChats ?? new Set<string>();
  const collapsedMessages = input.collapsedMessages ?? new Set<string>();

  const byChat = new Map<string, LayoutMessage[]>();
  for (const chat of input.chats) byChat.set(chat.id, []);
  for (const message of input.messages) byChat.get(message.chatId)?.push(message);

  const nodes: LaidOutNode[] = [];
  const chatBounds: Layout["chatBounds"] = new Map();
  let cursorX = 0;

  for (const chat of input.chats) {
    const chatMessages = byChat.get(chat.id) ?? [];
    const chatKey = `c:${chat.id}`;
    const collapsed = collapsedChats.has(chat.id);
    const data = buildTree(chat.id, chatMessages);

    // a chat's virtual root sits at (0,0) of its own tree, its messages below it
    const root = hierarchy<TreeDatum>(data, (d) => (collapsed || collapsedMessages.has(d.id) ? undefined : d.children));
    tree<TreeDatum>().nodeSize([NODE_WIDTH + GAP_X, NODE_HEIGHT + GAP_Y])(root);
    let minX = 0;
    let maxX = 0;
    root.each((n) => {
      const x = n.x ?? 0;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
    });
    const shift = cursorX - minX;

    const placed: Point[] = [];
    root.each((n) => {
      const auto = { x: (n.x ?? 0) + shift, y: n.y ?? 0 };
      if (n.depth === 0) {
        const p = positions.get(chatKey) ?? auto;
        placed.push(p);
        nodes.push({ key: chatKey, kind: "chat", chatId: chat.id, x: p.x, y: p.y, collapsed, messageCount: chatMessages.length });
        return;
      }
      const key = n.data.key;
      const p = positions.get(key) ?? auto;
      placed.push(p);
      const isCollapsed = collapsedMessages.has(n.data.id) && n.data.children.length > 0;
      nodes.push({
        key,
        kind: "message",
        id: n.data.id,
        chatId: chat.id,
        x: p.x,
        y: p.y,
        collapsed: isCollapsed,
        hiddenDescendants: isCollapsed ? countDescendants(n.data) : 0,
      });
    });

    let left = Number.POSITIVE_INFINITY;
    let top = Number.POSITIVE_INFINITY;
    let right = Number.NEGATIVE_INFINITY;
    let bottom = Number.NEGATIVE_INFINITY;
    for (const p of placed) {
      left = Math.min(left, p.x);
      top = Math.min(top, p.y);
      right = Math.max(right, p.x + NODE_WIDTH);
      bottom = Math.max(bottom, p.y + NODE_HEIGHT);
    }
    chatBounds.set(chat.id, { x: left, y: top, width: right - left, height: bottom - top });
    cursorX += maxX - minX + NODE_WIDTH + CHAT_GAP;
  }

  let sourceY = 0;
  for (const source of input.sources ?? []) {
    const key = `s:${source.id}`;
    const p = positions.get(key) ?? { x: cursorX, y: sourceY };
    nodes.push({ key, kind: "source", id: source.id, x: p.x, y: p.y });
    sourceY += NODE_HEIGHT + SOURCE_GAP_Y;
  }

  return { nodes, chatBounds };
}

/**
 * One chat's messages as a tree under a virtual root. A message whose parent
 * is missing (another chat's, or not loaded) hangs off the root rather than
 * vanishing; siblings are ordered oldest first, like the chat's sibling arrows.
 */
function buildTree(chatId: string, messages: LayoutMessage[]): TreeDatum {
  const root: TreeDatum = { key: `c:${chatId}`, id: chatId, children: [], createdAt: 0 };
  const byId = new Map<string, TreeDatum>();
  for (const m of messages) byId.set(m.id, { key: `m:${m.id}`, id: m.id, children: [], createdAt: time(m.createdAt) });
  for (const m of messages) {
    const node = byId.get(m.id);
    if (!node) continue;
    const parent = m.parentId ? byId.get(m.parentId) : undefined;
    (parent ?? root).children.push(node);
  }
  const sortChildren = (d: TreeDatum) => {
    d.children.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  };
  // iterative: a 5,000-message linear chat must not blow the stack
  const stack = [root];
  while (stack.length > 0) {
    const d = stack.pop();
    if (!d) break;
    sortChildren(d);
    for (const c of d.children) stack.push(c);
  }
  return root;
}

function countDescendants(d: TreeDatum): number {
  let count = 0;
  const stack = [...d.children];
  while (stack.length > 0) {
    const n = stack.pop();
    if (!n) break;
    count++;
    for (const c of n.children) stack.push(c);
  }
  return count;
}
