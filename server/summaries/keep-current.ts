import "server-only";
import { and, desc, eq, isNull, ne, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { type SummaryMethod, chatSummaries, messages } from "@/db/schema";
import { localModelConfigured } from "@/server/ai/local-model";
import { VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import { type ChatDigest, extractiveDigest } from "./extractive";
import { localDigest } from "./local";

/** A chat is summarised once it has been quiet this long, so a conversation in full swing is not redone per message. */
export const QUIET_MS = 15_000;
/** A worker that died mid-summary gives the chat back after this. */
const LEASE_MS = 2 * 60_000;
const BATCH = 10;
/** The newest messages are what a chat is about now; older ones are in the summary's past. */
const MAX_MESSAGES = 200;

export type Summariser = (messages: { role: "user" | "assistant"; content: string }[]) => Promise<{ digest: ChatDigest; method: SummaryMethod }>;

/**
 * The local tier when one is configured (falling back to the chat's own words
 * if it fails or replies with nothing usable), the extractive digest
 * otherwise. Never a paid model: summaries are housekeeping, and Arbor spends
 * a person's money only when they ask a question.
 */
export const defaultSummariser: Summariser = async (input) => {
  if (localModelConfigured()) {
    try {
      const digest = await localDigest(input);
      if (digest) return { digest: digest.keywords.length > 0 ? digest : { ...digest, keywords: extractiveDigest(input).keywords }, method: "local" };
    } catch (error) {
      console.warn(`[arbor] the local model could not summarise a chat; its own words are used (${error instanceof Error ? error.name : "Error"})`);
    }
  }
  return { digest: extractiveDigest(input), method: "extractive" };
};

/**
 * One pass of the background worker: every chat whose summary is missing or
 * older than the chat's last change, quiet for `quietMs` and with no answer
 * streaming, is claimed (a lease row, so several instances share the work)
 * and summarised. Returns the chat ids it summarised.
 */
export async function summariseStaleChats(db: Db, { quietMs = QUIET_MS, batch = BATCH, summarise = defaultSummariser }: { quietMs?: number; batch?: number; summarise?: Summariser } = {}) {
  const stale = await queryRows<{ id: string }>(
    db,
    sql`select c.id from chats c
        left join chat_summaries s on s.chat_id = c.id
        where (s.chat_id is null or s.chat_updated_at is null or c.updated_at > s.chat_updated_at)
          and c.updated_at <= now() - make_interval(secs => ${quietMs / 1000})
          and (s.claimed_until is null or s.claimed_until < now())
          and not exists (select 1 from chat_streams st where st.chat_id = c.id and st.status = 'running')
          and c.trash_id is null
        order by c.updated_at
        limit ${batch}`,
  );
  const done: string[] = [];
  for (const { id } of stale) {
    if (await summariseChat(db, { chatId: id, summarise })) done.push(id);
  }
  return done;
}

/** Claims, summarises and stores one chat; false when another worker holds it or it vanished. */
export async function summariseChat(db: Db, { chatId, summarise = defaultSummariser }: { chatId: string; summarise?: Summariser }): Promise<boolean> {
  // The chat's updated_at as text: a JS Date would drop Postgres's microseconds and leave the chat looking stale forever.
  const claim = await queryRows<{ chat_updated_at: string | null }>(
    db,
    sql`insert into chat_summaries (chat_id, claimed_until)
        select c.id, now() + make_interval(secs => ${LEASE_MS / 1000}) from chats c where c.id = ${chatId}
        on conflict (chat_id) do update set claimed_until = excluded.claimed_until
          where chat_summaries.claimed_until is null or chat_summaries.claimed_until < now()
        returning (select updated_at::text from chats where id = ${chatId}) as chat_updated_at`,
  );
  const covers = claim[0]?.chat_updated_at;
  if (!covers) return false;
  try {
    const newest = await db
      .select({ role: messages.role, content: messages.content })
      .from(messages)
      .where(
        and(
          eq(messages.chatId, chatId),
          isNull(messages.deletedAt),
          ne(messages.status, "streaming"),
          ne(messages.content, ""),
          // The built-in vault responder only quotes the vault or says it found nothing: what the chat is
          // about is in the questions and in real models' answers.
          sql`${messages.model} is distinct from ${VAULT_RESPONDER_MODEL}`,
        ),
      )
      .orderBy(desc(messages.createdAt))
      .limit(MAX_MESSAGES);
    const rows = newest.reverse();
    const { digest, method } = rows.length > 0 ? await summarise(rows) : { digest: { summary: "", keywords: [] }, method: "extractive" as const };
    await db
      .update(chatSummaries)
      .set({ summary: digest.summary, keywords: digest.keywords, method, messageCount: rows.length, chatUpdatedAt: sql`${covers}::timestamptz`, claimedUntil: null, updatedAt: new Date() })
      .where(eq(chatSummaries.chatId, chatId));
    return true;
  } catch (error) {
    await db.update(chatSummaries).set({ claimedUntil: null }).where(eq(chatSummaries.chatId, chatId));
    throw error;
  }
}
