import "server-only";

/**
 * The verifying phase's rule (docs/chat.md#why-this-answer): every `[n]` in an
 * answer must name a chunk the model was actually given (1…chunks.length), and
 * where the answer quotes — a "quoted span" or a `> blockquote` line directly
 * before the marker — the quoted words must appear in that chunk. Pure, so
 * the stream, tests and a re-check of stored answers share it.
 */

export type CitationProblem = "no_such_source" | "quote_not_found";
export type CitationVerdict = { number: number; problem: CitationProblem | null; quote: string | null };

const MARKER = /\[(\d{1,3})\]/g;
/** A quoted span ending right before the marker (a comma, stop or colon may sit between). */
const QUOTE_BEFORE = /[“"]([^"“”\n]{4,600})[”"][\s,.;:!?)]*(?:\[\d{1,3}\]\s*)*$/u;
/** A blockquote line that ends in its markers: the line is the quote. */
const BLOCKQUOTE = /^\s*>\s?(.*?)\s*(?:\[\d{1,3}\]\s*)+$/u;

/** One verdict per cited number, in order of first use; a number is unsupported if any of its uses is. */
export function checkCitations(text: string, chunkTexts: string[]): CitationVerdict[] {
  const verdicts = new Map<number, CitationVerdict>();
  for (const match of text.matchAll(MARKER)) {
    const number = Number(match[1]);
    const at = match.index ?? 0;
    const lineStart = text.lastIndexOf("\n", at - 1) + 1;
    const lineEnd = text.indexOf("\n", at);
    const before = text.slice(lineStart, at);
    const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
    const quote = QUOTE_BEFORE.exec(before)?.[1] ?? (isLastMarkerOf(line, before.length + match[0].length) ? (BLOCKQUOTE.exec(line)?.[1] ?? null) : null);
    const chunk = number >= 1 && number <= chunkTexts.length ? chunkTexts[number - 1] : undefined;
    const problem: CitationProblem | null = chunk === undefined ? "no_such_source" : quote && !quoteAppears(quote, chunk) ? "quote_not_found" : null;
    const earlier = verdicts.get(number);
    if (!earlier || (earlier.problem === null && problem !== null)) verdicts.set(number, { number, problem, quote: quote ? quote.slice(0, 200) : (earlier?.quote ?? null) });
  }
  return [...verdicts.values()];
}

function isLastMarkerOf(line: string, end: number): boolean {
  return /^(?:\s*\[\d{1,3}\])*\s*$/.test(line.slice(end));
}

/** Case, spacing, typographic quotes and an elision "…" do not count; the words must. */
export function quoteAppears(quote: string, chunk: string): boolean {
  const haystack = normalise(chunk);
  const parts = normalise(quote)
    .split(/…|\.\.\./)
    .map((p) => p.trim().replace(/^[\s"',.;:]+|[\s"',.;:]+$/g, ""))
    .filter((p) => p.length > 0);
  return parts.length > 0 && parts.every((p) => haystack.includes(p));
}

function normalise(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/\*\*|__|`/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
