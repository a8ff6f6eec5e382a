/**
 * Project roles, for client and server alike. Each role can do everything the
 * roles before it can; the server checks the role on every call, the client
 * only uses this to explain and to hide what would be refused.
 * @see docs/collaboration.md
 */
export const ROLES = ["viewer", "commenter", "editor", "owner"] as const;
export type Role = (typeof ROLES)[number];

/** The roles an invite can grant: a project has one owner, who changes only by handover. */
export const INVITE_ROLES = ["viewer", "commenter", "editor"] as const;
export type InviteRole = (typeof INVITE_ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, commenter: 1, editor: 2, owner: 3 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export const ROLE_LABEL: Record<Role, string> = {
  viewer: "Viewer",
  commenter: "Commenter",
  editor: "Editor",
  owner: "Owner",
};

/** What each role may do, in words, for "why can't I…" messages. */
export const ROLE_CAN: Record<Role, string> = {
  viewer: "read chats, the canvas and the knowledge vault",
  commenter: "read and comment",
  editor: "chat, fork, escalate, upload knowledge and edit the canvas",
  owner: "do everything, including invites, members, billing and handover",
};
