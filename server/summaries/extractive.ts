import "server-only";

/**
 * A chat's summary and keywords made from its own words, at no model cost —
 * what every chat gets when no local model is configured, and the fallback
 * when the local model fails. Pure: the same messages give the same summary.
 */
export type SummaryInput = { role: "user" | "assistant"; content: string }[];
export type ChatDigest = { summary: string; keywords: string[] };

export const MAX_SUMMARY_CHARS = 240;
export const MAX_KEYWORDS = 6;

// Function words and chat filler: they say nothing about what a chat is about.
const STOP = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being below between both but by can can't cannot could " +
    "couldn't did didn't do does doesn't doing don't down during each few for from further get gets got had hadn't has hasn't have haven't having he he'd " +
    "he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like make me " +
    "might more most much must mustn't my myself no nor not now of off on once one only or other ought our ours ourselves out over own please same shan't " +
    "she she'd she'll she's should shouldn't so some such than thank thanks that that's the their theirs them themselves then there there's these they they'd " +
    "they'll they're they've this those through to too under until up use used using very want was wasn't we we'd we'll we're we've well were weren't what " +
    "what's when when's where where's which while who who's whom why why's will with won't would wouldn't yes yet you you'd you'll you're you've your yours " +
    "yourself yourselves tell know think say said see way thing things really maybe sure okay ok hello hi hey answer question"
  ).split(" "),
);

const WORD = /[\p{L}][\p{L}\p{N}'’-]*[\p{L}\p{N}]|[\p{L}]/gu;

/** "tomatoes" and "tomato" count as one word; the form used most is the one shown. */
function stemOf(word: string): string {
  if (word.length > 4 && word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(ches|shes|sses|xes|oes)$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("s") && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

function clean(text: string): string {
  return text
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/`[^`]*`/g, " ")
    .replace(/\[(\d+)\]/g, " ")
    .replace(/[#>*_[\]]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const wordsOf = (text: string) => (text.toLowerCase().match(WORD) ?? []).map((w) => w.replace(/’/g, "'"));

/**
 * Keywords: content words weighted by how many messages use them (a question's
 * words twice an answer's — the person names the topic), ties by first use.
 * Summary: the one or two sentences densest in those keywords, in the order
 * they were said, cut at a word boundary.
 */
export function extractiveDigest(messages: SummaryInput): ChatDigest {
  const scores = new Map<string, { score: number; first: number; forms: Map<string, number> }>();
  let position = 0;
  for (const m of messages) {
    const seen = new Set<string>();
    for (const word of wordsOf(clean(m.content))) {
      position += 1;
      if (word.length < 3 || STOP.has(word) || /^\d/.test(word)) continue;
      const stem = stemOf(word);
      const entry = scores.get(stem) ?? { score: 0, first: position, forms: new Map() };
      entry.forms.set(word, (entry.forms.get(word) ?? 0) + 1);
      if (!seen.has(stem)) entry.score += m.role === "user" ? 2 : 1;
      seen.add(stem);
      scores.set(stem, entry);
    }
  }
  const ranked = [...scores.entries()].sort((a, b) => b[1].score - a[1].score || a[1].first - b[1].first);
  const keywords = ranked.slice(0, MAX_KEYWORDS).map(([, e]) => [...e.forms.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "");
  const weight = new Map(ranked.slice(0, MAX_KEYWORDS * 2).map(([stem, e]) => [stem, e.score]));

  const sentences: { text: string; score: number; order: number }[] = [];
  for (const m of messages) {
    for (const text of clean(m.content).split(/(?<=[.!?])\s+/)) {
      const words = wordsOf(text);
      if (words.length < 3) continue;
      const hits = new Set(words.map(stemOf).filter((s) => weight.has(s)));
      const score = ([...hits].reduce((sum, s) => sum + (weight.get(s) ?? 0), 0) / Math.sqrt(words.length)) * (m.role === "user" ? 1.5 : 1);
      sentences.push({ text, score, order: sentences.length });
    }
  }
  const best = sentences
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, 2)
    .sort((a, b) => a.order - b.order);
  return { summary: cutAtWord(best.map((s) => s.text).join(" "), MAX_SUMMARY_CHARS), keywords: keywords.filter(Boolean) };
}

export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.!?-]+$/, "")}…`;
}
