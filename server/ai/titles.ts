import "server-only";
const FILLER = /^((hi|hello|hey|good (morning|afternoon|evening))( there| all| everyone)?|please|can you|could you|would you|i want to|i'd like to|tell me|so|ok|okay)[,!.\s]+/i;

const MAX_TITLE_LENGTH = 60;

/**
 * A chat's title from its first message, made locally at no cloud cost: the
 * first sentence, without greetings and filler, cut at a word boundary. It is
 * the title at once; a configured local model may replace it (server/chat/auto-title.ts).
 */
export function heuristicTitle(text: string): string {
  let first = text.replace(/```[\s\S]*?```/g, " ").replace(/[#>*_`[\]]/g, " ").replace(/\s+/g, " ").trim();
  for (let i = 0; i < 3; i++) first = first.replace(FILLER, "");
  const sentence = first.split(/(?<=[.!?])\s/)[0] ?? first;
  const words = sentence.replace(/[.!?,;:]+$/, "").split(" ").filter(Boolean);
  const title = cutAtWord(words);
  if (!title) return "New chat";
  return title.charAt(0).toUpperCase() + title.slice(1);
}

/** What the local model is asked; the first message follows as the user turn. */
export const TITLE_INSTRUCTIONS =
  "You name chats. Reply with only a title of at most six words for a chat that begins with the user's message, " +
  "in the language of that message: no quotes, no trailing punctuation, no explanation.";

/**
 * A model's reply made into a title: its first line, without a "Title:"
 * label, quotes, markdown or a final full stop, cut at a word boundary.
 * null when nothing usable is left (the heuristic title then stays).
 */
export function titleFromReply(reply: string): string | null {
  const line = reply.split("\n").map((l) => l.trim()).find(Boolean) ?? "";
  const bare = line
    .replace(/^(chat\s+)?title\s*:\s*/i, "")
    .replace(/[*_`#]/g, "")
    .replace(/^[\s"'“”‘’«»]+|[\s"'“”‘’«».!?,;:]+$/g, "")
    .replace(/\s+/g, " ");
  return cutAtWord(bare.split(" ").filter(Boolean)) || null;
}

function cutAtWord(words: string[]): string {
  let title = "";
  for (const word of words) {
    if (`${title} ${word}`.trim().length > MAX_TITLE_LENGTH) break;
    title = `${title} ${word}`.trim();
  }
  return title || (words[0] ?? "").slice(0, MAX_TITLE_LENGTH);
}
