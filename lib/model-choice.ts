/**
 * What answers the next turn of a chat, as the composer's picker shows it and
 * the chat remembers it: the project's policy decides ("auto"), the local tier
 * ("local"), or one cloud model by its id in model_prices ("cloud:<id>"). The
 * text form is what `chats.model_choice` stores; the parsed form is what a
 * POST /api/chat body carries (`tier`, `model`).
 * @see docs/chat.md#model-choice
 */
export type ModelChoice = { tier: "auto" } | { tier: "local" } | { tier: "cloud"; model: string };

const CLOUD_PREFIX = "cloud:";

export function encodeModelChoice(choice: ModelChoice): string {
  return choice.tier === "cloud" ? `${CLOUD_PREFIX}${choice.model}` : choice.tier;
}

/** The stored text back as a choice; anything unreadable (or nothing) is Auto, the default a new chat starts with. */
export function decodeModelChoice(text: string | null | undefined): ModelChoice {
  if (text === "local") return { tier: "local" };
  if (text?.startsWith(CLOUD_PREFIX) && text.length > CLOUD_PREFIX.length) return { tier: "cloud", model: text.slice(CLOUD_PREFIX.length) };
  return { tier: "auto" };
}

/** The fields of a POST /api/chat body that carry a choice. */
export function requestFieldsOf(choice: ModelChoice): { tier: "auto" | "local" | "cloud"; model?: string } {
  return choice.tier === "cloud" ? { tier: "cloud", model: choice.model } : { tier: choice.tier };
}
