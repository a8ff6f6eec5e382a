import "server-only";
import type { TextFormat } from "./extract";

export type ChunkDraft = {
  ordinal: number;
  heading: string | null;
  text: string;
  tokenCount: number;
  /** offsets into the extracted text, so the viewer can highlight exactly this chunk */
  startOffset: number;
  endOffset: number;
};

/** Tokens are estimated as characters / 4 (close enough for English; no tokenizer dependency). */
export const estimateTokens = (chars: number) => Math.ceil(chars / 4);

// ~400 tokens per chunk, never more than 500; sections shorter than ~100 tokens merge with the next.
const TARGET_CHARS = 1_600;
const MAX_CHARS = 2_000;
const MIN_SECTION_CHARS = 400;
const OVERLAP_CHARS = 200;

type Unit = { start: number; end: number; heading?: { level: number; title: string } };

/**
 * Split extracted text into chunks that follow its structure: a markdown
 * heading starts a new chunk (unless the current one is still tiny),
 * paragraphs are kept whole where they fit, CSV rows are grouped under their
 * header row. Consecutive prose chunks overlap by about a sentence so an
 * answer spanning a boundary is still found.
 */
export function chunkText(text: string, format: TextFormat): ChunkDraft[] {
  const units = format === "csv" ? csvUnits(text) : proseUnits(text, format === "markdown");
  const csvHeader = format === "csv" ? firstLine(text) : null;
  const drafts: { start: number; end: number; heading: string | null }[] = [];
  const path: string[] = [];
  let current: { start: number; end: number; heading: string | null } | null = null;

  const headingNow = () => csvHeader ?? (path.filter(Boolean).join(" › ") || null);
  const flush = () => {
    if (current) drafts.push(current);
    current = null;
  };

  for (const unit of units.flatMap((u) => (u.heading ? [u] : splitLong(text, u)))) {
    if (unit.heading) {
      if (current && current.end - current.start >= MIN_SECTION_CHARS) flush();
      path.length = unit.heading.level - 1;
      path[unit.heading.level - 1] = unit.heading.title;
      if (current) current.end = unit.end;
      else current = { start: unit.start, end: unit.end, heading: headingNow() };
      continue;
    }
    if (!current) {
      current = { start: unit.start, end: unit.end, heading: headingNow() };
      continue;
    }
    const size = current.end - current.start;
    if (size >= TARGET_CHARS || unit.end - current.start > MAX_CHARS) {
      const previous: { start: number; end: number } = current;
      flush();
      const start = format === "csv" ? unit.start : overlapStart(text, previous);
      current = { start, end: unit.end, heading: headingNow() };
      continue;
    }
    current.end = unit.end;
  }
  flush();

  return drafts.map((d, ordinal) => {
    const chunk = text.slice(d.start, d.end);
    return { ordinal, heading: d.heading, text: chunk, tokenCount: estimateTokens(chunk.length), startOffset: d.start, endOffset: d.end };
  });
}

function firstLine(text: string): string | null {
  const line = text.split("\n", 1)[0]?.trim();
  return line ? line.slice(0, 300) : null;
}

function csvUnits(text: string): Unit[] {
  const units: Unit[] = [];
  let start = 0;
  for (const line of text.split("\n")) {
    const end = start + line.length;
    if (line.trim()) units.push({ start, end });
    start = end + 1;
  }
  return units;
}

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;

/** Paragraphs (blank-line separated); in markdown, heading lines are units of their own. */
function proseUnits(text: string, markdown: boolean): Unit[] {
  const units: Unit[] = [];
  const separator = /\n[ \t]*\n/g;
  let start = 0;
  const push = (from: number, to: number) => {
    if (markdown) {
      let lineStart = from;
      let bodyStart = from;
      for (const line of text.slice(from, to).split("\n")) {
        const lineEnd = lineStart + line.length;
        const match = HEADING.exec(line);
        if (match?.[1] && match[2]) {
          if (text.slice(bodyStart, lineStart).trim()) units.push(trimUnit(text, bodyStart, lineStart));
          units.push({ start: lineStart, end: lineEnd, heading: { level: match[1].length, title: match[2].slice(0, 200) } });
          bodyStart = lineEnd + 1;
        }
        lineStart = lineEnd + 1;
      }
      if (bodyStart < to && text.slice(bodyStart, to).trim()) units.push(trimUnit(text, bodyStart, to));
      return;
    }
    if (text.slice(from, to).trim()) units.push(trimUnit(text, from, to));
  };
  for (const match of text.matchAll(separator)) {
    push(start, match.index);
    start = match.index + match[0].length;
  }
  push(start, text.length);
  return units;
}

function trimUnit(text: string, start: number, end: number): Unit {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s] ?? "")) s++;
  while (e > s && /\s/.test(text[e - 1] ?? "")) e--;
  return { start: s, end: e };
}

/** A paragraph longer than a chunk is cut at sentence ends, else lines, else spaces, else anywhere. */
function splitLong(text: string, unit: Unit): Unit[] {
  const pieces: Unit[] = [];
  let pos = unit.start;
  while (unit.end - pos > TARGET_CHARS) {
    const window = text.slice(pos, pos + TARGET_CHARS);
    const cut = lastBoundary(window, /[.!?]["')\]]?\s+/g) ?? lastBoundary(window, /\n/g) ?? lastBoundary(window, /\s+/g) ?? TARGET_CHARS;
    pieces.push(trimUnit(text, pos, pos + cut));
    pos += cut;
    while (pos < unit.end && /\s/.test(text[pos] ?? "")) pos++;
  }
  if (pos < unit.end) pieces.push({ start: pos, end: unit.end });
  return pieces;
}

/** End of the last boundary match in the second half of the window (so pieces are not tiny). */
function lastBoundary(window: string, boundary: RegExp): number | null {
  let best: number | null = null;
  for (const m of window.matchAll(boundary)) {
    const end = m.index + m[0].length;
    if (end >= window.length / 2 && end < window.length) best = end;
  }
  return best;
}

/** Where the next chunk starts: the first sentence (or word) inside the last ~200 characters of the previous one. */
function overlapStart(text: string, previous: { start: number; end: number }): number {
  const from = Math.max(previous.start + 1, previous.end - OVERLAP_CHARS);
  const tail = text.slice(from, previous.end);
  const sentence = /[.!?]["')\]]?\s+(?=\S)/.exec(tail);
  if (sentence) return from + sentence.index + sentence[0].length;
  const word = /\s+(?=\S)/.exec(tail);
  if (word) return from + word.index + word[0].length;
  return previous.end;
}
