
export const ACCEPT = ".txt,.md,.markdown,.html,.htm,.pdf,.docx,.csv,.json";

export function viewerHref(projectId: string, sourceId: string, chunkId?: string): string {
  const chunk = chunkId ? `&chunk=${encodeURIComponent(chunkId)}` : "";
  return `/projects/${projectId}/knowledge?source=${encodeURIComponent(sourceId)}${chunk}`;
}
