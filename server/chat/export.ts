import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { branches, type Message, messageCitations, messages } from "@/db/schema";
import { formatUsd } from "@/lib/money";
import { branchVisible } from "./branches";
import { getChat } from "./chats";
import { readLineage } from "./lineage";
import { type MergeJoin, mergeJoinsOf } from "./merge";
import { type Citation, citationsOf, getThread } from "./thread";

/**
 * The branch as Markdown: one heading per turn, answers with their badge facts
 * and sources. A branch that went through a merge is written with both lines
 * the merge joined, in the order the model was given them (server/chat/lineage.ts),
 * each line introduced by the branch it came from.
 */
export async function exportBranchMarkdown(db: Db, args: { projectId: string; chatId: string; branchId: string }): Promise<string> {
  const thread = await getThread(db, args);
  const lines = [`# ${thread.chat.title}`, "", `_Branch: ${thread.branch.title} · exported ${new Date().toISOString()}_`, ""];
  const tip = thread.messages.at(-1);
  if (!tip || !thread.messages.some((m) => m.mergeParentId)) {
    for (const m of thread.messages) writeMessage(lines, m, m.citations);
    return lines.join("\n");
  }
  const lineage = await readLineage(db, { chatId: args.chatId, tips: [tip.id] });
  const citations = await citationsOf(db, { messageIds: lineage.map((m) => m.id) });
  const joins = await mergeJoinsOf(db, { chatId: args.chatId, merges: lineage.filter((m) => m.mergeParentId), except: thread.branch.id });
  const headings = lineHeadings(lineage, joins);
  for (const m of lineage) {
    const heading = headings.get(m.id);
    if (heading) lines.push("---", "", `**${heading}**`, "");
    writeMessage(lines, m, citations.get(m.id) ?? []);
  }
  return lines.join("\n");
}

function writeMessage(lines: string[], m: Message, citations: Citation[]) {
  if (m.role === "user") {
    lines.push("## You", "", m.content, "");
    return;
  }
  const badge = [m.agentSnapshot ? `agent ${m.agentSnapshot.name}` : null, m.tier, m.model, m.status !== "complete" ? m.status : null, `${m.tokensIn}+${m.tokensOut} tokens`, formatUsd(m.costMicros, { precision: "micros" })]
    .filter(Boolean)
    .join(" · ");
  lines.push(`## Assistant (${badge})`, "", m.content || "_(no text)_", "");
  if (citations.length > 0) {
    lines.push("Sources:", ...citations.map((c) => `- [${c.number}] ${c.sourceTitle} (relevance ${c.relevance.toFixed(2)})`), "");
  }
}

/**
 * Where each line of a merge starts in the lineage: the shared start (if
 * any), the first line, the second line, the merge message itself — keyed by
 * the first message of each part.
 */
function lineHeadings(lineage: Message[], joins: Map<string, MergeJoin>): Map<string, string> {
  const parents = new Map(lineage.map((m) => [m.id, [m.parentId, m.mergeParentId]]));
  const above = (id: string | null) => {
    const seen = new Set<string>();
    const stack = id ? [id] : [];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next) || !parents.has(next)) continue;
      seen.add(next);
      for (const p of parents.get(next) ?? []) if (p) stack.push(p);
    }
    return seen;
  };
  const headings = new Map<string, string>();
  const name = (side: { title: string } | null, fallback: string) => (side ? `"${side.title}"` : fallback);
  for (const merge of lineage.filter((m) => m.mergeParentId)) {
    const join = joins.get(merge.id) ?? { first: null, second: null };
    const first = name(join.first, "the first branch");
    const second = name(join.second, "the second branch");
    const one = above(merge.parentId);
    const two = above(merge.mergeParentId);
    const firstOf = (pick: (id: string) => boolean) => lineage.find((m) => pick(m.id))?.id;
    const shared = firstOf((id) => one.has(id) && two.has(id));
    const onlyOne = firstOf((id) => one.has(id) && !two.has(id));
    const onlyTwo = firstOf((id) => two.has(id) && !one.has(id));
    if (shared && !headings.has(shared)) headings.set(shared, `Shared start of ${first} and ${second}`);
    if (onlyOne) headings.set(onlyOne, `Line 1 of the merge: ${first}`);
    if (onlyTwo) headings.set(onlyTwo, `Line 2 of the merge: ${second}`);
    headings.set(merge.id, `Merge of ${first} and ${second}`);
  }
  return headings;
}

/** The whole tree as plain JSON (bigints as strings, dates as ISO strings). */
export async function exportTree(db: Db, args: { projectId: string; chatId: string }) {
  const chat = await getChat(db, args);
  const allMessages = await db.select().from(messages).where(eq(messages.chatId, chat.id)).orderBy(asc(messages.createdAt));
  const allBranches = await db.select().from(branches).where(and(eq(branches.chatId, chat.id), branchVisible)).orderBy(asc(branches.createdAt));
  const citations = await db
    .select()
    .from(messageCitations)
    .where(sql`${messageCitations.messageId} in (select id from messages where chat_id = ${chat.id} and deleted_at is null)`);
  return JSON.parse(
    JSON.stringify(
      {
        format: "arbor.chat-tree.v1",
        chat: { id: chat.id, title: chat.title, createdAt: chat.createdAt, updatedAt: chat.updatedAt },
        branches: allBranches.map((b) => ({ id: b.id, title: b.title, status: b.status, tipMessageId: b.tipMessageId, forkMessageId: b.forkMessageId, parentBranchId: b.parentBranchId })),
        messages: allMessages
          .filter((m) => !m.deletedAt)
          .map((m) => ({
            id: m.id,
            parentId: m.parentId,
            mergeParentId: m.mergeParentId,
            role: m.role,
            content: m.content,
            tier: m.tier,
            model: m.model,
            agent: m.agentSnapshot ?? null,
            status: m.status,
            tokensIn: m.tokensIn,
            tokensOut: m.tokensOut,
            costMicros: m.costMicros,
            latencyMs: m.latencyMs,
            feedback: m.feedback,
            createdAt: m.createdAt,
            citations: citations.filter((c) => c.messageId === m.id).map((c) => ({ number: c.number, sourceId: c.sourceId, chunkId: c.chunkId, relevance: c.relevance })),
          })),
      },
      (_key, value) => (typeof value === "bigint" ? value.toString() : value),
    ),
  ) as Record<string, unknown>;
}
