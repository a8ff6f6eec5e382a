import "server-only";
import type { Message, ProjectSettings } from "@/db/schema";
import { type ClaudeRequest, claudeRequest } from "@/server/ai/claude";
import { buildCloudContext, type Joins, type Preferences } from "@/server/ai/context";
import type { ChatTurn } from "@/server/ai/types";
import type { RetrievedChunk } from "@/server/knowledge/retrieve";

/**
 * The exact request a cloud turn sends Claude, from what the turn knows: the
 * project's instructions, the person's preferences, the branch so far (`path`
 * ends with the question when re-answering), the retrieved chunks and the new
 * message. One function for the turn that holds the budget and for the
 * composer's estimate, so the estimate is the hold's own bound, byte for byte.
 */
export function cloudTurnRequest(args: {
  settings: ProjectSettings;
  preferences: Preferences;
  path: Message[];
  chunks: RetrievedChunk[];
  content: string | null | undefined;
  answerTo: string | null | undefined;
  model: string;
  maxTokens: number;
  temperature?: number | null;
  /** a merge: the two branches `path` joins */
  joins?: Joins | null;
}): ClaudeRequest {
  const question = args.content != null ? args.content.trim() : (args.path.at(-1)?.content ?? "");
  const history = historyOf(args.answerTo ? args.path.slice(0, -1) : args.path);
  const context = buildCloudContext({ settings: args.settings, preferences: args.preferences, history, question, chunks: args.chunks, joins: args.joins });
  return claudeRequest({ model: args.model, ...context, maxTokens: args.maxTokens, temperature: args.temperature });
}

/** What the model sees of the branch before the question: finished, non-empty turns. */
export function historyOf(path: Message[]): ChatTurn[] {
  return path.filter((m) => m.content.trim() && m.status !== "streaming").map((m) => ({ role: m.role, content: m.content }));
}
