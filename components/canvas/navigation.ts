import type { FlowNode } from "./to-flow";
import type { BoardData } from "./types";

export type Direction = "up" | "down" | "left" | "right";

/**
 * Keyboard navigation along the tree: up = parent, down = child (the one on
 * the current branch first), left/right = older/newer sibling. Chat headers
 * step to their first message or the neighbouring chat; notes and sources
 * step to the nearest node in that direction.
 */
export function neighbour(
  board: Pick<BoardData, "messages" | "chats">,
  nodes: FlowNode[],
  current: string | null,
  direction: Direction,
  visible: ReadonlySet<string>,
): string | null {
  const byKey = new Map(nodes.map((n) => [n.id, n]));
  if (!current || !byKey.has(current)) {
    const start = nodes.find((n) => n.type === "message" && n.data.current) ?? nodes.find((n) => n.type === "message") ?? nodes.find((n) => n.type === "chat");
    return start?.id ?? null;
  }
  const ok = (k: string | null | undefined): k is string => !!k && visible.has(k);
  const time = (v: Date | string) => new Date(v).getTime();
  const children = (parentId: string | null, chatId: string) =>
    board.messages
      .filter((m) => m.parentId === parentId && m.chatId === chatId && ok(`m:${m.id}`))
      .sort((a, b) => time(a.createdAt) - time(b.createdAt))
      .map((m) => `m:${m.id}`);

  if (current.startsWith("m:")) {
    const message = board.messages.find((m) => m.id === current.slice(2));
    if (!message) return null;
    if (direction === "up") {
      const parent = message.parentId ? `m:${message.parentId}` : `c:${message.chatId}`;
      return ok(parent) ? parent : ok(`c:${message.chatId}`) ? `c:${message.chatId}` : null;
    }
    if (direction === "down") return preferCurrent(children(message.id, message.chatId), byKey);
    const siblings = children(message.parentId, message.chatId);
    const i = siblings.indexOf(current);
    return siblings[direction === "left" ? i - 1 : i + 1] ?? null;
  }
  if (current.startsWith("c:")) {
    const chatId = current.slice(2);
    if (direction === "down") return preferCurrent(children(null, chatId), byKey);
    if (direction === "up") return null;
    const chats = board.chats.map((c) => `c:${c.id}`).filter(ok);
    const i = chats.indexOf(current);
    return chats[direction === "left" ? i - 1 : i + 1] ?? null;
  }
  return nearest(nodes, current, direction);
}

function preferCurrent(keys: string[], byKey: Map<string, FlowNode>): string | null {
  return keys.find((k) => {
    const n = byKey.get(k);
    return n?.type === "message" && n.data.current;
  }) ?? keys[0] ?? null;
}

function nearest(nodes: FlowNode[], current: string, direction: Direction): string | null {
  const from = nodes.find((n) => n.id === current);
  if (!from) return null;
  let best: { key: string; score: number } | null = null;
  for (const n of nodes) {
    if (n.id === current || n.type === "frame") continue;
    const dx = n.position.x - from.position.x;
    const dy = n.position.y - from.position.y;
    const along = direction === "up" ? -dy : direction === "down" ? dy : direction === "left" ? -dx : dx;
    if (along <= 0) continue;
    const across = direction === "up" || direction === "down" ? Math.abs(dx) : Math.abs(dy);
    const score = along + across * 2;
    if (!best || score < best.score) best = { key: n.id, score };
  }
  return best?.key ?? null;
}
