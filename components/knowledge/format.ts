export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function formatWhen(date: Date | string): string {
  return new Date(date).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export const ACCEPT = ".txt,.md,.markdown,.html,.htm,.pdf,.docx,.csv,.json";

export function viewerHref(projectId: string, sourceId: string, chunkId?: string): string {
  const chunk = chunkId ? `&chunk=${encodeURIComponent(chunkId)}` : "";
  return `/projects/${projectId}/knowledge?source=${encodeURIComponent(sourceId)}${chunk}`;
}
