/**
 * The line a share page shows through a tree of messages: the tip's ancestors,
 * root first, each with its siblings (the versions the switcher steps
 * through). Switching to a sibling continues down its newest descendants.
 */
export type TreeMessage = { id: string; parentId: string | null; createdAt: string };

export type PathStep<M extends TreeMessage> = { message: M; siblingIds: string[]; index: number };

function childrenMap<M extends TreeMessage>(messages: M[]) {
  const children = new Map<string | null, M[]>();
  for (const m of messages) {
    const list = children.get(m.parentId) ?? [];
    list.push(m);
    children.set(m.parentId, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return children;
}

export function pathTo<M extends TreeMessage>(messages: M[], tipId: string | null): PathStep<M>[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const children = childrenMap(messages);
  const line: M[] = [];
  const seen = new Set<string>();
  for (let m = tipId ? byId.get(tipId) : undefined; m && !seen.has(m.id); m = m.parentId ? byId.get(m.parentId) : undefined) {
    seen.add(m.id);
    line.unshift(m);
  }
  return line.map((message) => {
    const siblingIds = (children.get(message.parentId) ?? [message]).map((s) => s.id);
    return { message, siblingIds, index: Math.max(0, siblingIds.indexOf(message.id)) };
  });
}

/** The newest leaf under `id` (itself when it has no children): where a switch to that version lands. */
export function newestLeafUnder<M extends TreeMessage>(messages: M[], id: string): string {
  const children = childrenMap(messages);
  let current = id;
  for (let guard = 0; guard < messages.length; guard++) {
    const next = children.get(current)?.at(-1);
    if (!next) break;
    current = next.id;
  }
  return current;
}
