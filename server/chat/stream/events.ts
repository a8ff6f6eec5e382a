/** The SSE event data of CONTRACTS "Chat API" (DESIGN §5). */
export type StreamEvent =
  | { type: "content"; text: string }
  | {
      type: "metadata";
      agent: string;
      phase: "analyzing" | "retrieving" | "generating" | "verifying";
      userMessageId?: string;
      assistantMessageId?: string;
      branchId?: string;
      tier?: "local" | "cloud";
      model?: string;
    }
  | {
      type: "end";
      tokensUsed: { prompt: number; completion: number };
      costMicros: string;
      totalLatencyMs: number;
      messageId: string;
      status: "complete" | "stopped";
    }
  | { type: "error"; code: string; message: string };

export function isFinal(event: { type?: unknown }): boolean {
  return event.type === "end" || event.type === "error";
}

/** One SSE frame; the id is the event's sequence number in the ledger (what Last-Event-ID echoes back). */
export function sseFrame(seq: number, event: unknown): string {
  return `id: ${seq}\ndata: ${JSON.stringify(event)}\n\n`;
}
