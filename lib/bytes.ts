/** Byte sizes for client and server alike, in binary units (1 KB = 1,024 bytes), as file managers show them. */
export const KB = 1024;
export const MB = 1024 * KB;
export const GB = 1024 * MB;

/** "512 B", "3.4 KB", "25.0 MB", "1.50 GB". */
export function formatBytes(bytes: number): string {
  if (bytes < KB) return `${bytes} B`;
  if (bytes < MB) return `${(bytes / KB).toFixed(1)} KB`;
  if (bytes < GB) return `${(bytes / MB).toFixed(1)} MB`;
  return `${(bytes / GB).toFixed(2)} GB`;
}
