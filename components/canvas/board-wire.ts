import type { BoardData, BoardMessage } from "./types";

/**
 * The board travels from the page to the browser as one JSON string, not as
 * a props object: React's server-component serializer walks every one of a
 * large board's 5,000 message objects property by property, then the browser
 * revives them the same way, where one string is copied through and parsed
 * natively. Messages go as tuples (no repeated keys, time as a number): a
 * third less to send, embed in the HTML and parse.
 */

type WireMessage = [
  id: string,
  chatId: string,
  parentId: string | null,
  role: BoardMessage["role"],
  preview: string,
  status: string,
  tier: BoardMessage["tier"],
  model: string | null,
  deleted: 0 | 1,
  createdAt: number,
  agent: string | null,
  mergeParentId: string | null,
];
type WireBoard = Omit<BoardData, "messages"> & { messages: WireMessage[] };

// every field of a message must be carried: adding one to BoardMessage fails to compile here until it is
const CARRIED: Record<keyof BoardMessage, true> = {
  id: true,
  chatId: true,
  parentId: true,
  mergeParentId: true,
  role: true,
  preview: true,
  status: true,
  tier: true,
  model: true,
  agent: true,
  deleted: true,
  createdAt: true,
};
void CARRIED;

export function boardToWire(board: BoardData): string {
  const wire: WireBoard = {
    ...board,
    messages: board.messages.map((m) => [m.id, m.chatId, m.parentId, m.role, m.preview, m.status, m.tier, m.model, m.deleted ? 1 : 0, new Date(m.createdAt).getTime(), m.agent, m.mergeParentId]),
  };
  return JSON.stringify(wire);
}

/** JSON gives dates back as strings: turn the named fields of each row back into Dates. */
function revive<T>(rows: T[], ...keys: (keyof T)[]): T[] {
  for (const row of rows) for (const key of keys) row[key] = new Date(row[key] as string) as T[keyof T];
  return rows;
}

export function boardFromWire(json: string): BoardData {
  const wire = JSON.parse(json) as WireBoard;
  return {
    ...wire,
    cursor: new Date(wire.cursor),
    chats: revive(wire.chats, "createdAt", "updatedAt"),
    branches: revive(wire.branches, "createdAt", "updatedAt"),
    notes: revive(wire.notes, "updatedAt"),
    positions: revive(wire.positions, "updatedAt"),
    edges: revive(wire.edges, "updatedAt"),
    messages: wire.messages.map(([id, chatId, parentId, role, preview, status, tier, model, deleted, createdAt, agent, mergeParentId]) => ({
      id,
      chatId,
      parentId,
      mergeParentId: mergeParentId ?? null,
      role,
      preview,
      status,
      tier,
      model,
      agent: agent ?? null,
      deleted: deleted === 1,
      createdAt: new Date(createdAt),
    })),
  };
}
