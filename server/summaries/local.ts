import "server-only";
import { completeWithLocalModel } from "@/server/ai/local-model";
import { type ChatDigest, cutAtWord, MAX_KEYWORDS, MAX_SUMMARY_CHARS, type SummaryInput } from "./extractive";

/** Housekeeping: a local model slower than this leaves the extractive summary. */
export const SUMMARY_TIMEOUT_MS = 30_000;
/** The start (the topic) and the end (where it went) of a long chat, within what a small model reads quickly. */
const MAX_TRANSCRIPT_CHARS = 6_000;

export const SUMMARY_INSTRUCTIONS =
  "You summarise conversations between a person and an assistant. Reply with one or two plain sentences saying what the " +
  "conversation is about and where it got to, then a line starting with 'Keywords:' followed by at most six comma-separated " +
  "keywords. Use the language of the conversation. No preamble, no markdown.";

export function transcriptOf(messages: SummaryInput): string {
  const lines = messages.map((m) => `${m.role === "user" ? "Person" : "Assistant"}: ${m.content.replace(/\s+/g, " ").trim()}`);
  const all = lines.join("\n");
  if (all.length <= MAX_TRANSCRIPT_CHARS) return all;
  const half = MAX_TRANSCRIPT_CHARS / 2;
  return `${all.slice(0, half)}\n[…]\n${all.slice(-half)}`;
}

/**
 * A model's reply made into a digest: the keywords line (however it is
 * labelled in case) and the rest as the summary, without markdown or a
 * "Summary:" label. null when no summary is left (the extractive one stays).
 */
export function digestFromReply(reply: string): ChatDigest | null {
  const lines = reply.split("\n").map((l) => l.trim()).filter(Boolean);
  const keywordLine = lines.find((l) => /^\**keywords\**\s*:/i.test(l));
  const keywords = (keywordLine?.replace(/^\**keywords\**\s*:\s*/i, "") ?? "")
    .split(/[,;]/)
    .map((k) => k.replace(/[*_`#"“”.]/g, "").trim().toLowerCase())
    .filter((k) => k.length > 0 && k.length <= 40)
    .slice(0, MAX_KEYWORDS);
  const summary = lines
    .filter((l) => l !== keywordLine)
    .join(" ")
    .replace(/^\**summary\**\s*:\s*/i, "")
    .replace(/[*_`#]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  if (!summary) return null;
  return { summary: cutAtWord(summary, MAX_SUMMARY_CHARS), keywords };
}

export async function localDigest(messages: SummaryInput, timeoutMs = SUMMARY_TIMEOUT_MS): Promise<ChatDigest | null> {
  const reply = await completeWithLocalModel({ system: SUMMARY_INSTRUCTIONS, prompt: transcriptOf(messages), maxTokens: 160, signal: AbortSignal.timeout(timeoutMs) });
  return digestFromReply(reply);
}
