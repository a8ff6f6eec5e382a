const FILLER = /^((hi|hello|hey|good (morning|afternoon|evening))( there| all| everyone)?|please|can you|could you|would you|i want to|i'd like to|tell me|so|ok|okay)[,!.\s]+/i;

/**
 * A chat's title from its first message, made locally at no cloud cost: the
 * first sentence, without greetings and filler, cut at a word boundary.
 */
export function heuristicTitle(text: string): string {
  let first = text.replace(/```[\s\S]*?```/g, " ").replace(/[#>*_`[\]]/g, " ").replace(/\s+/g, " ").trim();
  for (let i = 0; i < 3; i++) first = first.replace(FILLER, "");
  const sentence = first.split(/(?<=[.!?])\s/)[0] ?? first;
  const words = sentence.replace(/[.!?,;:]+$/, "").split(" ").filter(Boolean);
  let title = "";
  for (const word of words) {
    if ((title + " " + word).trim().length > 60) break;
    title = `${title} ${word}`.trim();
  }
  if (!title) title = (words[0] ?? "").slice(0, 60);
  if (!title) return "New chat";
  return title.charAt(0).toUpperCase() + title.slice(1);
}
