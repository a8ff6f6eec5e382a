import "server-only";
/**
 * The local tier's summary and keywords, extractive so they cost nothing and
 * need no model: the opening sentences of the body text, and the most
 * frequent content words. (A configured LOCAL_MODEL_URL could write better
 * summaries; this path must work without one.)
 */
const STOP = new Set(
  `a about above after again against all also am an and any are aren't as at be because been before being below between both but by can
  can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from further had hadn't has hasn't have
  haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it
  it's its itself let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own
  same shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves then there
  there's these they they'd they'll they're they've this those through to too under until up very was wasn't we we'd we'll we're
  we've were weren't what what's when when's where where's which while who who's whom why why's will with won't would wouldn't you
  you'd you'll you're you've your yours yourself yourselves may might must shall one two new use used using also however within
  without per via etc eg ie yes true false null page every first need needs leave make makes made get gets got just like well much many even still back way ways thing things`.split(/\s+/),
);

const SUMMARY_CHARS = 320;
/** Only the opening of the body can reach the summary; segmenting more would be work thrown away. */
const SUMMARY_WINDOW_CHARS = 4 * SUMMARY_CHARS;

/**
 * Sentences come from `Intl.Segmenter` (ICU's sentence rules, linear in the
 * text). A backtracking sentence regex was quadratic on text without
 * sentence punctuation — a 60k-character CSV paste held the event loop for
 * over 20 s.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Intl/Segmenter
 */
const sentenceSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });

export function summarize(text: string): string {
  const body = bodyOpening(text);
  let summary = "";
  for (const { segment } of sentenceSegmenter.segment(body)) {
    const sentence = segment.trim();
    if (!sentence) continue;
    const next = `${summary} ${sentence}`.trim();
    if (next.length > SUMMARY_CHARS && summary) break;
    summary = next;
    if (summary.length >= SUMMARY_CHARS / 2) break;
  }
  return summary.length > SUMMARY_CHARS ? `${summary.slice(0, SUMMARY_CHARS - 1).replace(/\s+\S*$/, "")}…` : summary;
}

/** The first few hundred characters of text outside markdown headings, whitespace collapsed. */
function bodyOpening(text: string): string {
  const parts: string[] = [];
  let length = 0;
  for (let start = 0; start < text.length && length < SUMMARY_WINDOW_CHARS; ) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, Math.min(end, start + SUMMARY_WINDOW_CHARS));
    start = end + 1;
    if (/^#{1,6}\s/.test(line)) continue;
    parts.push(line);
    length += line.length + 1;
  }
  return parts.join(" ").replace(/\s+/g, " ").trim().slice(0, SUMMARY_WINDOW_CHARS);
}

export function keywords(text: string, count = 8): string[] {
  const freq = new Map<string, number>();
  for (const raw of text.toLowerCase().match(/[\p{L}][\p{L}\p{N}'’-]*[\p{L}\p{N}]/gu) ?? []) {
    const word = raw.replace(/’/g, "'").replace(/'s$/, "");
    if (word.length < 3 || STOP.has(word)) continue;
    freq.set(word, (freq.get(word) ?? 0) + 1);
  }
  // plural and singular count as one word, shown as the more frequent form
  for (const [word, n] of [...freq]) {
    const singular = word.endsWith("s") ? word.slice(0, -1) : null;
    if (singular && freq.has(singular)) {
      const m = freq.get(singular) ?? 0;
      if (m >= n) {
        freq.set(singular, m + n);
        freq.delete(word);
      } else {
        freq.set(word, m + n);
        freq.delete(singular);
      }
    }
  }
  return [...freq]
    // ties (common in short texts) go to longer words, which tend to be the more specific ones
    .sort((a, b) => b[1] - a[1] || b[0].length - a[0].length || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([word]) => word);
}
