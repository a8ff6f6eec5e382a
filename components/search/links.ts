import { chatHref } from "@/components/chat/types";

/** Where each kind of search result goes: a message opens in its branch, scrolled to and marked. */
export function messageHref(hit: { projectId: string; chatId: string; branchId: string | null; messageId: string }) {
  return chatHref(hit.projectId, hit.chatId, { branch: hit.branchId ?? undefined, message: hit.messageId });
}

export const sourceHref = (hit: { projectId: string; sourceId: string }) => `/projects/${hit.projectId}/knowledge?source=${hit.sourceId}`;
export const memberHref = (hit: { projectId: string }) => `/projects/${hit.projectId}/members`;

export function searchPageHref(query: string, projectId: string | null) {
  const params = new URLSearchParams({ q: query });
  if (projectId) params.set("project", projectId);
  return `/search?${params}`;
}

/** The project a path is inside, if any: the palette and the search page search it first. */
export function projectOfPath(pathname: string): string | null {
  return /^\/projects\/([0-9a-f-]{36})(?:\/|$)/.exec(pathname)?.[1] ?? null;
}
