import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Branch, type ChatStream, type Message, branches, chatStreams, chats, messages } from "@/db/schema";
import { heuristicTitle } from "@/server/ai/titles";
import { AppError } from "@/server/errors";
import { getBranch, defaultBranch } from "./branches";
import { getChat } from "./chats";
import { MAX_MESSAGE_BYTES } from "./limits";

export type TurnInput = {
  projectId: string;
  chatId: string;
  branchId?: string | null;
  /** the message the new user message follows (null = first / a new root) */
  parentId?: string | null;
  content?: string | null;
  /** an existing user message to answer again (regenerate, escalate) */
  answerTo?: string | null;
  requestId: string;
  by: string;
  /** what the new answer is, for the new branch's name */
  kind?: "send" | "regenerate" | "escalate";
  /** the caller already looked the requestId up and found no stream (saves a round trip before the first token) */
  knownNew?: boolean;
};

export type Turn = {
  stream: ChatStream;
  userMessageId: string;
  assistantMessageId: string;
  branchId: string;
  replay: boolean;
  /** the user message's text (empty on a replay) */
  question: string;
};

export async function findStreamByRequest(db: Db, { by, requestId }: { by: string; requestId: string }): Promise<ChatStream | null> {
  const [row] = await db
    .select()
    .from(chatStreams)
    .where(and(eq(chatStreams.startedBy, by), eq(chatStreams.requestId, requestId)))
    .limit(1);
  return row ?? null;
}

function replayOf(stream: ChatStream, chatId: string): Turn {
  if (stream.chatId !== chatId || !stream.userMessageId || !stream.assistantMessageId || !stream.branchId) {
    throw new AppError("conflict:request_id", "This requestId was already used for another message. Make a new id for each new message.");
  }
  return { stream, userMessageId: stream.userMessageId, assistantMessageId: stream.assistantMessageId, branchId: stream.branchId, replay: true, question: "" };
}

export function validateContent(content: string): string {
  const text = content.trim();
  if (!text) throw new AppError("bad_request:empty_message", "The message is empty. Type something to send.");
  if (Buffer.byteLength(text, "utf8") > MAX_MESSAGE_BYTES) {
    throw new AppError(
      "bad_request:message_too_large",
      `The message is larger than ${MAX_MESSAGE_BYTES / 1024} KB. Add long documents to the Knowledge tab instead and ask about them.`,
    );
  }
  return text;
}

/**
 * Persists one turn in one transaction: the user message (unless re-answering),
 * the assistant message in `streaming`, the branch pointer, and the stream row.
 * Appending at the branch's tip moves the tip; anything else (edit, regenerate,
 * escalate, replying to an earlier message) opens a new branch at that point,
 * so the old path stays intact. Idempotent by (person, requestId).
 */
export async function prepareTurn(db: Db, input: TurnInput): Promise<Turn> {
  const existing = input.knownNew ? null : await findStreamByRequest(db, input);
  if (existing) return replayOf(existing, input.chatId);

  const chat = await getChat(db, input);
  const hasContent = input.content !== undefined && input.content !== null;
  if (hasContent === Boolean(input.answerTo)) {
    throw new AppError("bad_request:turn", "Send either new content or answerTo (the user message to answer again), not both.");
  }
  const content = hasContent ? validateContent(input.content ?? "") : null;

  try {
    return await db.transaction(async (tx) => {
      const branch = input.branchId ? await getBranch(tx, { chatId: chat.id, branchId: input.branchId }) : await defaultBranch(tx, { chatId: chat.id });
      // Serialises concurrent Sends on one branch (Postgres row lock; PGlite runs one transaction at a time).
      await tx.execute(sql`select id from branches where id = ${branch.id} for update`);
      // The answer's own status decides: it is final before the stream's `end` event goes out, so a client
      // that sends right after `end` is not refused while the producer is still tidying up.
      const [running] = await tx
        .select({ id: chatStreams.id })
        .from(chatStreams)
        .innerJoin(messages, eq(messages.id, chatStreams.assistantMessageId))
        .where(and(eq(chatStreams.branchId, branch.id), eq(chatStreams.status, "running"), eq(messages.status, "streaming")))
        .limit(1);
      if (running) {
        throw new AppError("conflict:streaming", "An answer is still being written on this branch. Wait for it to finish or press Stop, then send again.");
      }

      let userMessage: Message;
      let forkPoint: string | null;
      if (content !== null) {
        const parentId = input.parentId ?? null;
        if (parentId) {
          const parent = await loadForAppend(tx, chat.id, parentId);
          if (parent.status === "streaming") {
            throw new AppError("conflict:streaming", "That answer is still being written. Wait for it to finish or press Stop.");
          }
        }
        const [inserted] = await tx
          .insert(messages)
          .values({ chatId: chat.id, parentId, role: "user", content, authorId: input.by, status: "complete", createdAt: sql`clock_timestamp()` })
          .returning();
        if (!inserted) throw new Error("message insert returned nothing");
        userMessage = inserted;
        forkPoint = parentId;
      } else {
        const target = await loadForAppend(tx, chat.id, input.answerTo ?? "");
        if (target.role !== "user") throw new AppError("bad_request:answer_to", "Only a user message can be answered again; pick the question, not an answer.");
        userMessage = target;
        forkPoint = target.id;
      }

      const [assistant] = await tx
        .insert(messages)
        .values({ chatId: chat.id, parentId: userMessage.id, role: "assistant", content: "", authorId: null, status: "streaming", createdAt: sql`clock_timestamp()` })
        .returning();
      if (!assistant) throw new Error("message insert returned nothing");

      const target = await moveOrFork(tx, { branch, content, forkPoint, assistantId: assistant.id, by: input.by, kind: input.kind ?? "send" });

      const [stream] = await tx
        .insert(chatStreams)
        .values({
          requestId: input.requestId,
          chatId: chat.id,
          branchId: target.id,
          userMessageId: userMessage.id,
          assistantMessageId: assistant.id,
          startedBy: input.by,
        })
        .returning();
      if (!stream) throw new Error("stream insert returned nothing");

      const firstMessage = content !== null && !input.parentId && chat.title === "New chat";
      await tx
        .update(chats)
        .set({ updatedAt: new Date(), ...(firstMessage ? { title: heuristicTitle(content) } : {}) })
        .where(eq(chats.id, chat.id));
      return { stream, userMessageId: userMessage.id, assistantMessageId: assistant.id, branchId: target.id, replay: false, question: userMessage.content };
    });
  } catch (error) {
    // Two retries racing: the loser's transaction rolled back (no orphan messages); serve the winner's stream.
    const raced = await findStreamByRequest(db, input);
    if (raced) return replayOf(raced, input.chatId);
    throw error;
  }
}

async function loadForAppend(db: Db, chatId: string, messageId: string): Promise<Message> {
  const [message] = await db.select().from(messages).where(eq(messages.id, messageId)).limit(1);
  if (!message || message.chatId !== chatId) {
    throw new AppError("bad_request:parent", "That message is not part of this chat, so the new message cannot follow it.");
  }
  if (message.deletedAt) throw new AppError("gone:message", "That message was deleted, so the conversation cannot continue from it.");
  return message;
}

const BRANCH_NAMES = { send: "Reply", regenerate: "Regenerated", escalate: "Escalated to Claude" } as const;

async function moveOrFork(
  db: Db,
  args: { branch: Branch; content: string | null; forkPoint: string | null; assistantId: string; by: string; kind: keyof typeof BRANCH_NAMES },
): Promise<Branch> {
  const appendsAtTip = args.content !== null && args.branch.tipMessageId === args.forkPoint;
  if (appendsAtTip) {
    const [moved] = await db
      .update(branches)
      .set({ tipMessageId: args.assistantId, updatedAt: new Date(), status: "active" })
      .where(eq(branches.id, args.branch.id))
      .returning();
    return moved ?? args.branch;
  }
  const name = args.content !== null && args.kind === "send" ? (args.branch.tipMessageId ? "Edited" : "Reply") : BRANCH_NAMES[args.kind];
  const [created] = await db
    .insert(branches)
    .values({
      chatId: args.branch.chatId,
      tipMessageId: args.assistantId,
      forkMessageId: args.forkPoint,
      parentBranchId: args.branch.id,
      title: `${name} (from ${args.branch.title})`.slice(0, 120),
      createdBy: args.by,
    })
    .returning();
  if (!created) throw new Error("branch insert returned nothing");
  return created;
}

/** The newest running stream among the given assistant messages (the thread's "activeStream"). */
export async function runningStreamFor(db: Db, { chatId, assistantMessageIds }: { chatId: string; assistantMessageIds: string[] }) {
  if (assistantMessageIds.length === 0) return null;
  const [row] = await db
    .select({ streamId: chatStreams.id, assistantMessageId: chatStreams.assistantMessageId })
    .from(chatStreams)
    .where(
      and(
        eq(chatStreams.chatId, chatId),
        eq(chatStreams.status, "running"),
        sql`${chatStreams.assistantMessageId} in (select jsonb_array_elements_text(${JSON.stringify(assistantMessageIds)}::jsonb)::uuid)`,
      ),
    )
    .orderBy(desc(chatStreams.createdAt))
    .limit(1);
  return row?.assistantMessageId ? { streamId: row.streamId, assistantMessageId: row.assistantMessageId } : null;
}
