import type { BoardChangesData, BoardData } from "./types";

/**
 * Fold one `canvas.changes` answer into the board the browser holds. Rows are
 * merged by id, so the overlap between polls (the server looks back a few
 * seconds) never duplicates anything; deleted notes and edges drop out.
 */
export function mergeChanges(board: BoardData, changes: BoardChangesData): BoardData {
  const chatIds = new Set(changes.chats.map((c) => c.id));
  const sourceIds = new Set(changes.sources.map((s) => s.id));

  const messages = upsert(board.messages, changes.messages, (m) => m.id).filter((m) => chatIds.has(m.chatId));
  const branches = upsert(board.branches, changes.branches, (b) => b.id).filter((b) => chatIds.has(b.chatId));
  const notes = upsert(board.notes, changes.notes, (n) => n.id).filter((n) => !n.deleted);
  const positions = upsert(board.positions, changes.positions, (p) => p.key);
  const edges = upsert(board.edges, changes.edges, (e) => e.id).filter((e) => !e.deleted);

  const refreshed = new Set(changes.messages.map((m) => m.id));
  const citations = board.citations
    .filter((c) => !refreshed.has(c.messageId))
    .concat(changes.citations)
    .filter((c) => sourceIds.has(c.sourceId));

  const touched = new Set(changes.commentTargets);
  const commentCounts = board.commentCounts.filter((c) => !touched.has(c.targetKey)).concat(changes.commentCounts);

  return {
    ...board,
    cursor: changes.cursor,
    chats: changes.chats,
    sources: changes.sources,
    messages,
    branches,
    notes,
    positions,
    citations,
    edges,
    commentCounts,
  };
}

/** True when a poll brought nothing new, so React can skip a re-render. */
export function isQuiet(changes: BoardChangesData, board: BoardData): boolean {
  return (
    changes.messages.length === 0 &&
    changes.branches.length === 0 &&
    changes.notes.length === 0 &&
    changes.positions.length === 0 &&
    changes.edges.length === 0 &&
    changes.commentTargets.length === 0 &&
    sameIds(changes.chats.map((c) => `${c.id}|${c.title}`), board.chats.map((c) => `${c.id}|${c.title}`)) &&
    sameIds(changes.sources.map((s) => `${s.id}|${s.title}`), board.sources.map((s) => `${s.id}|${s.title}`))
  );
}

function sameIds(a: string[], b: string[]) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function upsert<T>(rows: T[], updates: T[], id: (row: T) => string): T[] {
  if (updates.length === 0) return rows;
  const byId = new Map(updates.map((u) => [id(u), u]));
  const out = rows.map((r) => {
    const u = byId.get(id(r));
    if (u) byId.delete(id(r));
    return u ?? r;
  });
  for (const u of byId.values()) out.push(u);
  return out;
}
