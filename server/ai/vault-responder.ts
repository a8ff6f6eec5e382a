import "server-only";
import type { RetrievedChunk } from "@/server/knowledge/retrieve";

export const VAULT_RESPONDER_MODEL = "vault-responder";

const STOP = new Set(
  "a an the and or but if of to in on at for by with from as is are was were be been it its this that these those what which who whom how why when where do does did can could should would will i you we they he she me my our your their about into than then there here not no".split(
    " ",
  ),
);

function terms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 2 && !STOP.has(w));
}

function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?])\s+(?=[\p{Lu}\p{N}"'(])/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export type VaultAnswer = { text: string; cited: number[] };

/**
 * The built-in local tier: an extractive answer quoting the sentences of the
 * best chunks that share the most words with the question, each cited [n]
 * (n = the chunk's position in `chunks`). It never paraphrases or invents, and
 * says so plainly when the vault has nothing, pointing at Escalate.
 */
export function composeVaultAnswer(question: string, chunks: RetrievedChunk[]): VaultAnswer {
  if (chunks.length === 0) {
    return {
      text:
        "I couldn't find anything about this in the project's knowledge vault. " +
        "I'm Arbor's built-in vault responder: I only quote the project's own sources, so I can't answer beyond them.\n\n" +
        "Add a document in the **Knowledge** tab, or press **Escalate** to ask Claude.",
      cited: [],
    };
  }
  const wanted = new Set(terms(question));
  const picked: Array<{ n: number; sentence: string; score: number; order: number }> = [];
  chunks.slice(0, 4).forEach((chunk, index) => {
    const scored = sentences(chunk.text).map((sentence, order) => {
      const words = new Set(terms(sentence));
      let hits = 0;
      for (const w of wanted) if (words.has(w)) hits++;
      return { n: index + 1, sentence, score: hits + chunk.relevance, order };
    });
    const best = scored.filter((s) => s.score > chunk.relevance || scored.length === 1).sort((a, b) => b.score - a.score).slice(0, 2);
    const chosen = best.length > 0 ? best : scored.slice(0, 1);
    for (const s of chosen.sort((a, b) => a.order - b.order)) picked.push(s);
  });
  const lines = picked.slice(0, 6).map((p) => `> ${truncate(p.sentence, 400)} [${p.n}]`);
  const titles = [...new Set(picked.map((p) => p.n))]
    .sort((a, b) => a - b)
    .map((n) => `[${n}] ${chunks[n - 1]?.sourceTitle ?? "source"}`);
  const confident = (chunks[0]?.relevance ?? 0) >= 0.5;
  const text = [
    confident ? "Here is what the project's knowledge vault says:" : "The knowledge vault has only loosely related passages:",
    "",
    lines.join("\n>\n"),
    "",
    `Sources: ${titles.join(" · ")}`,
    "",
    "_Quoted by the built-in vault responder. Press **Escalate** for an answer written by Claude._",
  ].join("\n");
  return { text, cited: [...new Set(picked.map((p) => p.n))].sort((a, b) => a - b) };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Splits an answer into word-sized pieces, so the built-in tier streams like the others. */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}
