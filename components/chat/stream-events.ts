/** The chat stream's event data (DESIGN §5, CONTRACTS "Chat API"). */
export const PHASES = ["analyzing", "retrieving", "generating", "verifying"] as const;
export type StreamPhase = (typeof PHASES)[number];

export type ContentEvent = { type: "content"; text: string };
export type MetadataEvent = {
  type: "metadata";
  agent: string | null;
  phase: StreamPhase;
  userMessageId?: string;
  assistantMessageId?: string;
  branchId?: string;
};
export type EndEvent = {
  type: "end";
  tokensUsed: { prompt: number; completion: number };
  costMicros: string;
  totalLatencyMs: number;
  messageId: string;
};
export type ErrorEvent = { type: "error"; code: string; message: string };
export type ChatStreamEvent = ContentEvent | MetadataEvent | EndEvent | ErrorEvent;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

const optionalString = (value: unknown) => (typeof value === "string" ? value : undefined);

/** Narrow one `data:` line; anything we do not understand is skipped rather than trusted. */
export function parseStreamEvent(data: string): ChatStreamEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(raw)) return null;
  switch (raw.type) {
    case "content":
      return typeof raw.text === "string" ? { type: "content", text: raw.text } : null;
    case "metadata": {
      const phase = PHASES.find((p) => p === raw.phase);
      if (!phase) return null;
      return {
        type: "metadata",
        phase,
        agent: optionalString(raw.agent) ?? null,
        userMessageId: optionalString(raw.userMessageId),
        assistantMessageId: optionalString(raw.assistantMessageId),
        branchId: optionalString(raw.branchId),
      };
    }
    case "end": {
      const used = isRecord(raw.tokensUsed) ? raw.tokensUsed : {};
      return {
        type: "end",
        tokensUsed: { prompt: Number(used.prompt ?? 0), completion: Number(used.completion ?? 0) },
        costMicros: String(raw.costMicros ?? "0"),
        totalLatencyMs: Number(raw.totalLatencyMs ?? 0),
        messageId: String(raw.messageId ?? ""),
      };
    }
    case "error":
      return {
        type: "error",
        code: String(raw.code ?? "internal:server"),
        message: optionalString(raw.message) ?? "The answer failed. Please try again.",
      };
    default:
      return null;
  }
}

export const PHASE_LABEL: Record<StreamPhase, string> = {
  analyzing: "Reading your question…",
  retrieving: "Searching the vault…",
  generating: "Writing the answer…",
  verifying: "Checking the sources…",
};
