/**
 * Which branch "owns" each message, for colouring. A branch is a tip and all
 * its ancestors, so the shared trunk belongs to several branches: the oldest
 * branch keeps it, and each fork colours only what it added.
 */

export const BRANCH_PALETTE = ["#059669", "#2563eb", "#d97706", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"] as const;
export const UNBRANCHED_COLOR = "#a1a1aa";

export type BranchInfo = {
  id: string;
  chatId: string;
  tipMessageId: string | null;
  forkMessageId: string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
  status: string;
};

export type BranchColoring = {
  /** message id → branch id */
  owner: Map<string, string>;
  /** branch id → colour */
  color: Map<string, string>;
  /** chat id → the branch shown as current (most recently updated, unless one is asked for) */
  current: Map<string, string>;
  /** message ids on each chat's current branch */
  currentPath: Set<string>;
  /** messages with more than one child, or where a branch was forked */
  forkPoints: Set<string>;
};

const t = (v: Date | string) => (v instanceof Date ? v.getTime() : new Date(v).getTime());

export function colorBranches(
  messages: { id: string; chatId: string; parentId: string | null }[],
  branches: BranchInfo[],
  requestedBranchId?: string | null,
): BranchColoring {
  const parent = new Map<string, string | null>();
  const childCount = new Map<string, number>();
  for (const m of messages) {
    parent.set(m.id, m.parentId);
    if (m.parentId) childCount.set(m.parentId, (childCount.get(m.parentId) ?? 0) + 1);
  }
  const owner = new Map<string, string>();
  const color = new Map<string, string>();
  const current = new Map<string, string>();
  const currentPath = new Set<string>();
  const forkPoints = new Set<string>();
  for (const [id, n] of childCount) if (n > 1) forkPoints.add(id);

  const ordered = [...branches].sort((a, b) => t(a.createdAt) - t(b.createdAt) || (a.id < b.id ? -1 : 1));
  const perChat = new Map<string, number>();
  for (const b of ordered) {
    const index = perChat.get(b.chatId) ?? 0;
    perChat.set(b.chatId, index + 1);
    color.set(b.id, BRANCH_PALETTE[index % BRANCH_PALETTE.length] ?? UNBRANCHED_COLOR);
    if (b.forkMessageId && parent.has(b.forkMessageId)) forkPoints.add(b.forkMessageId);
    for (let m = b.tipMessageId; m && parent.has(m) && !owner.has(m); m = parent.get(m) ?? null) owner.set(m, b.id);
  }

  const requested = requestedBranchId ? branches.find((b) => b.id === requestedBranchId) : undefined;
  for (const b of branches) {
    if (b.status === "archived") continue;
    const seen = current.get(b.chatId);
    const seenBranch = seen ? branches.find((x) => x.id === seen) : undefined;
    if (!seenBranch || t(b.updatedAt) > t(seenBranch.updatedAt)) current.set(b.chatId, b.id);
  }
  if (requested) current.set(requested.chatId, requested.id);
  for (const branchId of current.values()) {
    const b = branches.find((x) => x.id === branchId);
    for (let m = b?.tipMessageId ?? null; m && parent.has(m) && !currentPath.has(m); m = parent.get(m) ?? null) currentPath.add(m);
  }
  return { owner, color, current, currentPath, forkPoints };
}

/** A message's colour: its branch's, or grey for an answer no branch points through. */
export function messageColor(coloring: BranchColoring, messageId: string): string {
  const b = coloring.owner.get(messageId);
  return (b && coloring.color.get(b)) || UNBRANCHED_COLOR;
}
