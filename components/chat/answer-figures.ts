export function formatLatency(ms: number | null | undefined): string | null {
  if (ms == null) return null;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatTokens(tokensIn: number, tokensOut: number): string {
  return `${tokensIn.toLocaleString("en-US")} in · ${tokensOut.toLocaleString("en-US")} out`;
}
