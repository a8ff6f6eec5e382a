import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { branches, messageCitations, messages } from "@/db/schema";
import { formatUsd } from "@/lib/money";
import { branchVisible } from "./branches";
import { getChat } from "./chats";
import { getThread } from "./thread";

/** The branch as Markdown: one heading per turn, answers with their badge facts and sources. */
export async function exportBranchMarkdown(db: Db, args: { projectId: string; chatId: string; branchId: string }): Promise<string> {
  const thread = await getThread(db, args);
  const lines = [`# ${thread.chat.title}`, "", `_Branch: ${thread.branch.title} · exported ${new Date().toISOString()}_`, ""];
  for (const m of thread.messages) {
    if (m.role === "user") {
      lines.push("## You", "", m.content, "");
      continue;
    }
    const badge = [m.agentSnapshot ? `agent ${m.agentSnapshot.name}` : null, m.tier, m.model, m.status !== "complete" ? m.status : null, `${m.tokensIn}+${m.tokensOut} tokens`, formatUsd(m.costMicros, { precision: "micros" })]
      .filter(Boolean)
      .join(" · ");
    lines.push(`## Assistant (${badge})`, "", m.content || "_(no text)_", "");
    if (m.citations.length > 0) {
      lines.push("Sources:", ...m.citations.map((c) => `- [${c.number}] ${c.sourceTitle} (relevance ${c.relevance.toFixed(2)})`), "");
    }
  }
  return lines.join("\n");
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
