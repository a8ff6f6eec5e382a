import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chats } from "@/db/schema";
import { completeWithLocalModel, localModelConfigured } from "@/server/ai/local-model";
import { TITLE_INSTRUCTIONS, titleFromReply } from "@/server/ai/titles";

/** A title is housekeeping: a local model slower than this leaves the heuristic title. */
export const TITLE_TIMEOUT_MS = 20_000;
/** The first message is enough of it to name the chat, and keeps a slow local model quick. */
const MAX_PROMPT_CHARS = 2_000;
const MAX_TITLE_TOKENS = 24;

/** Title jobs in flight, by chat (tests and graceful shutdown wait on them). */
const holder = globalThis as typeof globalThis & { __arborTitleJobs?: Map<string, Promise<void>> };
const jobs = (holder.__arborTitleJobs ??= new Map());

/**
 * "A chat is titled from its first message by the local tier (no cloud
 * cost)": the turn already gave the chat a heuristic title; when a local
 * model is configured it is asked for a better one once `after` settles (the
 * first answer — so the title never competes with that answer for the model
 * or delays its first token). Detached, time-limited; never the cloud.
 */
export function titleChatInBackground(db: Db, args: { chatId: string; heuristic: string; firstMessage: string; after: Promise<unknown> }): void {
  if (!localModelConfigured()) return;
  const job = args.after
    .catch(() => {})
    .then(() => titleChatByLocalModel(db, args))
    .then(() => {}, (error: unknown) => console.warn(`[arbor] the local model could not title a chat; the first-sentence title stays (${loggable(error)})`))
    .finally(() => jobs.delete(args.chatId));
  jobs.set(args.chatId, job);
}

/** Resolves when the chat's title job (if any) has finished. */
export async function titleDone(chatId: string): Promise<void> {
  await jobs.get(chatId);
}

/**
 * Asks the local model and stores its title — only over the heuristic one: a
 * title the person set meanwhile is never overwritten. Returns the stored
 * title, or null when the reply was unusable or the title had changed.
 */
export async function titleChatByLocalModel(
  db: Db,
  { chatId, heuristic, firstMessage, timeoutMs = TITLE_TIMEOUT_MS }: { chatId: string; heuristic: string; firstMessage: string; timeoutMs?: number },
): Promise<string | null> {
  const reply = await completeWithLocalModel({
    system: TITLE_INSTRUCTIONS,
    prompt: firstMessage.slice(0, MAX_PROMPT_CHARS),
    maxTokens: MAX_TITLE_TOKENS,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const title = titleFromReply(reply);
  if (!title || title === heuristic) return null;
  // Not `updatedAt`: a better name is not news, and must not reorder the chat list.
  const [row] = await db
    .update(chats)
    .set({ title })
    .where(and(eq(chats.id, chatId), eq(chats.title, heuristic)))
    .returning({ title: chats.title });
  return row?.title ?? null;
}

/** An error for the log without secrets: LOCAL_MODEL_URL may carry credentials, so addresses are left out. */
function loggable(error: unknown): string {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return `${name}: ${message.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, "<address>").slice(0, 200)}`;
}
