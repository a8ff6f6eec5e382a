import "server-only";
import type { RetrievedChunk } from "@/server/knowledge/retrieve";

export type ChatTurn = { role: "user" | "assistant"; content: string };

/** What a tier needs to answer: the branch so far, the question, and the vault's evidence. */
export type GenerationInput = {
  question: string;
  history: ChatTurn[];
  chunks: RetrievedChunk[];
  signal: AbortSignal;
  onText: (text: string) => void;
};

export type GenerationResult = {
  model: string;
  tokensIn: number;
  tokensOut: number;
  /** the model declined (local tier): "auto" may escalate */
  declined?: boolean;
};

/** An upstream failure that still knows how much was consumed, so billing can settle it. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly usage: { tokensIn: number; tokensOut: number },
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

/** Rough token count for estimates (reservations, stopped streams without a final usage): ~4 characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
