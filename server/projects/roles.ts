import type { Role } from "@/db/schema";

/** DESIGN §7: each role can do everything the roles before it can. */
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
