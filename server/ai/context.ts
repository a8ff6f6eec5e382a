import "server-only";
import type { ProjectSettings, UserPreferences } from "@/db/schema";
import type { RetrievedChunk } from "@/server/knowledge/retrieve";
import type { ChatTurn } from "./types";

export type Preferences = Pick<UserPreferences, "language" | "verbosity" | "tone">;

/** A merge turn: the titles of the two branches its history joins. */
export type Joins = { first: string; second: string };

const VERBOSITY: Record<Preferences["verbosity"], string> = {
  concise: "Be concise: short paragraphs, no preamble.",
  normal: "Answer at a normal length.",
  detailed: "Be thorough: explain your reasoning and cover edge cases.",
};

/**
 * What goes up to the cloud (docs/chat.md#chat-branches-tiers-and-live-streams): the branch's own ancestors only,
 * the retrieved chunks with their relevance, the project's system prompt and
 * constraints, and the person's preferences. Nothing from sibling branches —
 * `history` is the parent-pointer walk from the question, so they cannot be in it —
 * unless the person merged them: then `history` is both lines (server/chat/lineage.ts)
 * and the model is told how they are laid out.
 */
export function buildCloudContext(args: {
  settings: Pick<ProjectSettings, "systemPrompt" | "constraints">;
  preferences: Preferences;
  history: ChatTurn[];
  question: string;
  chunks: RetrievedChunk[];
  joins?: Joins | null;
}): { system: string; messages: ChatTurn[] } {
  const parts = [
    "You are the assistant inside Arbor, a branching research workspace. Answer the person's latest message.",
  ];
  if (args.settings.systemPrompt.trim()) parts.push(`Project instructions:\n${args.settings.systemPrompt.trim()}`);
  if (args.settings.constraints.trim()) parts.push(`Project constraints (always respect them):\n${args.settings.constraints.trim()}`);
  parts.push(
    `The person's preferences: reply in language "${args.preferences.language}". ${VERBOSITY[args.preferences.verbosity]} Tone: ${args.preferences.tone}.`,
  );
  if (args.joins) {
    parts.push(
      `This conversation had branched and the person merged two branches, "${args.joins.first}" and "${args.joins.second}". The messages below are: what both branches share, then the rest of "${args.joins.first}", then what "${args.joins.second}" added after they split. The latest message is about bringing both lines together.`,
    );
  }
  if (args.chunks.length > 0) {
    const sources = args.chunks
      .map((c, i) => `[${i + 1}] ${c.sourceTitle}${c.heading ? ` — ${c.heading}` : ""} (relevance ${c.relevance.toFixed(2)})\n${c.text}`)
      .join("\n\n");
    parts.push(
      `Sources from the project's knowledge vault, most relevant first. When you use one, cite it as [n] with its number. If they do not cover the question, say so and answer from general knowledge, clearly marked.\n\n<sources>\n${sources}\n</sources>`,
    );
  }
  return { system: parts.join("\n\n"), messages: alternate([...args.history, { role: "user", content: args.question }]) };
}

/** The Messages API wants user/assistant turns alternating and starting with the user. */
function alternate(turns: ChatTurn[]): ChatTurn[] {
  const out: ChatTurn[] = [];
  for (const turn of turns) {
    if (!turn.content.trim()) continue;
    const last = out.at(-1);
    if (last && last.role === turn.role) last.content = `${last.content}\n\n${turn.content}`;
    else out.push({ ...turn });
  }
  while (out[0] && out[0].role !== "user") out.shift();
  return out;
}
