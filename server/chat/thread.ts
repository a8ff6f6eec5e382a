import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Branch, type Chat, type Message, messageCitations, messages as messagesTable, sources } from "@/db/schema";
import { branchesContaining, defaultBranch, getBranch, listBranches, loadChatMessage } from "./branches";
import { getChat } from "./chats";
import { type MergeJoin, mergeJoinsOf } from "./merge";
import { runningStreamFor } from "./turns";
import { childrenOf, newestLeaf, readPath } from "./tree";

/** `problem`: the verifying phase found the citation unsupported (null = it held up). */
export type Citation = {
  number: number;
  sourceId: string | null;
  chunkId: string | null;
  sourceTitle: string;
  relevance: number;
  problem: "no_such_source" | "quote_not_found" | null;
};
/** One version of an answer, for the side-by-side cost comparison of siblings. */
export type SiblingFigures = { id: string; tier: Message["tier"]; model: string | null; costMicros: bigint; status: Message["status"] };
/** `join`: for a merge message, the two branches it joins (null for every other message). */
export type ThreadMessage = Message & { siblingIds: string[]; siblingIndex: number; citations: Citation[]; siblings: SiblingFigures[]; join: MergeJoin | null };
export type Thread = {
  chat: Chat;
  branch: Branch;
  branches: Branch[];
  messages: ThreadMessage[];
  activeStream: { streamId: string; assistantMessageId: string } | null;
};

/**
 * One branch as a thread. With `messageId`, the branch that contains that
 * message (the given branch if it does, else the most recent one); if no
 * branch does, the path from the root through the message to its newest leaf.
 */
export async function getThread(
  db: Db,
  { projectId, chatId, branchId, messageId }: { projectId: string; chatId: string; branchId?: string | null; messageId?: string | null },
): Promise<Thread> {
  const chat = await getChat(db, { projectId, chatId });
  const all = await listBranches(db, { chatId });
  let branch = branchId ? await getBranch(db, { chatId, branchId }) : await defaultBranch(db, { chatId });
  let tip = branch.tipMessageId;
  if (messageId) {
    await loadChatMessage(db, { chatId, messageId });
    const containing = await branchesContaining(db, { chatId, messageId });
    const preferred = containing.find((b) => b.id === branch.id) ?? containing[0];
    if (preferred) {
      branch = preferred;
      tip = preferred.tipMessageId;
    } else {
      tip = await newestLeaf(db, { chatId, messageId });
    }
  }
  const path = await readPath(db, { chatId, tipMessageId: tip });
  const children = await childrenOf(db, { chatId, parentIds: [...new Set(path.map((m) => m.parentId))] });
  const citations = await citationsOf(db, { messageIds: path.map((m) => m.id) });
  const answerSiblings = path.filter((m) => m.role === "assistant").flatMap((m) => {
    const ids = children.get(m.parentId) ?? [];
    return ids.length > 1 ? ids : [];
  });
  const figures = await siblingFiguresOf(db, { chatId, messageIds: answerSiblings });
  // a thread without a merge costs no query here
  const joins = await mergeJoinsOf(db, { chatId, merges: path.filter((m) => m.mergeParentId), except: branch.id });
  const messages = path.map((m) => {
    const siblingIds = children.get(m.parentId) ?? [m.id];
    const siblings = m.role === "assistant" && siblingIds.length > 1 ? siblingIds.flatMap((id) => figures.get(id) ?? []) : [];
    return { ...m, siblingIds, siblingIndex: Math.max(0, siblingIds.indexOf(m.id)), citations: citations.get(m.id) ?? [], siblings, join: joins.get(m.id) ?? null };
  });
  const activeStream = await runningStreamFor(db, {
    chatId,
    assistantMessageIds: path.filter((m) => m.role === "assistant" && m.status === "streaming").map((m) => m.id),
  });
  return { chat, branch, branches: all, messages, activeStream };
}

/** Tier, model, cost and status of answers that have siblings, so the thread can put their costs side by side. */
async function siblingFiguresOf(db: Db, { chatId, messageIds }: { chatId: string; messageIds: string[] }): Promise<Map<string, SiblingFigures>> {
  const result = new Map<string, SiblingFigures>();
  if (messageIds.length === 0) return result;
  const rows = await db
    .select({ id: messagesTable.id, tier: messagesTable.tier, model: messagesTable.model, costMicros: messagesTable.costMicros, status: messagesTable.status })
    .from(messagesTable)
    .where(and(eq(messagesTable.chatId, chatId), inArray(messagesTable.id, [...new Set(messageIds)])));
  for (const row of rows) result.set(row.id, row);
  return result;
}

export async function citationsOf(db: Db, { messageIds }: { messageIds: string[] }): Promise<Map<string, Citation[]>> {
  const result = new Map<string, Citation[]>();
  if (messageIds.length === 0) return result;
  const rows = await db
    .select({
      messageId: messageCitations.messageId,
      number: messageCitations.number,
      sourceId: messageCitations.sourceId,
      chunkId: messageCitations.chunkId,
      sourceTitle: sql<string>`coalesce(${sources.title}, case when ${messageCitations.problem} = 'no_such_source' then 'No such source' else 'Deleted source' end)`,
      relevance: messageCitations.relevance,
      problem: messageCitations.problem,
    })
    .from(messageCitations)
    .leftJoin(sources, eq(sources.id, messageCitations.sourceId))
    .where(sql`${messageCitations.messageId} in (select jsonb_array_elements_text(${JSON.stringify(messageIds)}::jsonb)::uuid)`)
    .orderBy(messageCitations.messageId, messageCitations.number);
  for (const { messageId, ...c } of rows) {
    const list = result.get(messageId) ?? [];
    list.push(c);
    result.set(messageId, list);
  }
  return result;
}
