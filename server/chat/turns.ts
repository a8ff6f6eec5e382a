import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { refusalOf, refuseWhen } from "@/db/refuse";
import { type Branch, type ChatStream, chatStreams, type Message } from "@/db/schema";
import { heuristicTitle } from "@/server/ai/titles";
import { AppError } from "@/server/errors";
import { getChat } from "./chats";
import { MAX_MESSAGE_BYTES } from "./limits";
import { type MergePlan, mergeBranchTitle } from "./merge";

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
  /** the branch and the message followed, as the caller read them with its access check (else read here) */
  target?: TurnTarget | null;
  /** writes that stand or fall with the turn (the cloud budget hold), in the turn's own statement */
  alsoInStatement?: AlsoInStatement;
  /** the new stream's id, made by a caller whose extra writes refer to it (the hold records its stream) */
  streamId?: string;
  /** a merge (planMerge): the new user message gets the second branch's tip as its second parent, both branches become `merged` */
  merge?: MergePlan | null;
};

/**
 * Writes that stand or fall with the turn, as extra CTEs of its statement:
 * `refusal` is a text expression over them (NULL = all good; else the
 * statement refuses itself and undoes everything), `columns` what they add to
 * the statement's result (handed to `accept` on success), and `explain` turns
 * a refusal into the error to throw.
 */
export type AlsoInStatement = {
  ctes: SQL;
  refusal: SQL;
  columns: SQL;
  accept: (row: Record<string, unknown>) => void;
  explain: (refusal: string) => Promise<never>;
};

export type Turn = {
  stream: ChatStream;
  userMessageId: string;
  assistantMessageId: string;
  branchId: string;
  replay: boolean;
  /** the user message's text (empty on a replay) */
  question: string;
  /** the title this turn gave an untitled chat (its first message), else null */
  newTitle: string | null;
};

export async function findStreamByRequest(db: Db, { by, requestId }: { by: string; requestId: string }): Promise<ChatStream | null> {
  const [row] = await db
    .select()
    .from(chatStreams)
    .where(and(eq(chatStreams.startedBy, by), eq(chatStreams.requestId, requestId)))
    .limit(1);
  return row ?? null;
}

/** A retry of a request that already has its stream: the same answer, never a second one. */
export function replayOf(stream: ChatStream, chatId: string): Turn {
  if (stream.chatId !== chatId || !stream.userMessageId || !stream.assistantMessageId || !stream.branchId) {
    throw new AppError("conflict:request_id", "This requestId was already used for another message. Make a new id for each new message.");
  }
  return {
    stream,
    userMessageId: stream.userMessageId,
    assistantMessageId: stream.assistantMessageId,
    branchId: stream.branchId,
    replay: true,
    question: "",
    newTitle: null,
  };
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
 * Persists one turn, all or nothing: the user message (unless re-answering),
 * the assistant message in `streaming`, the branch pointer, and the stream row.
 * Appending at the branch's tip moves the tip; anything else (edit, regenerate,
 * escalate, replying to an earlier message) opens a new branch at that point,
 * so the old path stays intact. Idempotent by (person, requestId).
 *
 * It sits on the path to the first token, so it is ONE statement — no
 * transaction round trips — with the caller's `alsoInStatement` (the cloud
 * budget hold) riding along; the statement checks that nothing streams on the
 * branch and refuses itself (db/refuse.ts) when a check fails, undoing every
 * write. Nothing is locked beforehand: a Send appending at the tip moves the
 * tip only if it is still where the Send saw it, so of two Sends racing on one
 * branch the second finds the tip moved (or the first's answer streaming) and
 * is refused.
 */
export async function prepareTurn(db: Db, input: TurnInput): Promise<Turn> {
  const existing = input.knownNew ? null : await findStreamByRequest(db, input);
  if (existing) return replayOf(existing, input.chatId);

  const hasContent = input.content !== undefined && input.content !== null;
  if (hasContent === Boolean(input.answerTo)) {
    throw new AppError("bad_request:turn", "Send either new content or answerTo (the user message to answer again), not both.");
  }
  const content = hasContent ? validateContent(input.content ?? "") : null;
  const target = input.target === undefined ? await readTurnTarget(db, input) : input.target;
  if (!target) {
    await getChat(db, input);
    throw new AppError("not_found:branch", input.branchId ? "This branch does not exist in this chat." : "This chat has no branch.");
  }
  const { branch, anchor } = target;
  const merge = input.merge ?? null;
  if (merge && content === null) throw new AppError("bad_request:merge", "A merge is a new message: send its content, not answerTo.");

  let question: { id: string; content: string; isNew: boolean };
  let forkPoint: string | null;
  if (content !== null) {
    const parentId = input.parentId ?? null;
    if (parentId) followable(anchor);
    question = { id: randomUUID(), content, isNew: true };
    forkPoint = parentId;
  } else {
    const answered = followable(anchor);
    if (answered.role !== "user") throw new AppError("bad_request:answer_to", "Only a user message can be answered again; pick the question, not an answer.");
    question = { id: answered.id, content: answered.content, isNew: false };
    forkPoint = answered.id;
  }
  // A message's status only ever leaves `streaming`, so one read before the write is enough.
  if (content !== null && anchor?.status === "streaming") {
    throw new AppError("conflict:streaming", "That answer is still being written. Wait for it to finish or press Stop.");
  }

  // a merge's answer always continues on a new branch, so both merged lines stay as they were
  const appendsAtTip = content !== null && branch.tipMessageId === forkPoint && !merge;
  const kind = input.kind ?? "send";
  const name = content !== null && kind === "send" ? (branch.tipMessageId ? "Edited" : "Reply") : BRANCH_NAMES[kind];
  const ids = { assistant: randomUUID(), stream: input.streamId ?? randomUUID(), branch: appendsAtTip ? branch.id : randomUUID() };
  const title = content !== null && !input.parentId ? heuristicTitle(content) : null;
  try {
    const written = await writeTurn(db, {
      chatId: branch.chatId,
      by: input.by,
      requestId: input.requestId,
      branch,
      question,
      parentId: forkPoint,
      ids,
      newBranch: appendsAtTip ? null : { title: merge ? mergeBranchTitle(merge) : `${name} (from ${branch.title})`.slice(0, 120) },
      title,
      merge,
      also: input.alsoInStatement,
    });
    input.alsoInStatement?.accept(written.row);
    const stream: ChatStream = {
      id: ids.stream,
      requestId: input.requestId,
      chatId: branch.chatId,
      branchId: ids.branch,
      userMessageId: question.id,
      assistantMessageId: ids.assistant,
      startedBy: input.by,
      status: "running",
      stopRequestedAt: null,
      heartbeatAt: written.createdAt,
      createdAt: written.createdAt,
      finishedAt: null,
    };
    return {
      stream,
      userMessageId: question.id,
      assistantMessageId: ids.assistant,
      branchId: ids.branch,
      replay: false,
      question: question.content,
      newTitle: written.wasUntitled ? title : null,
    };
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal === "merge_moved") {
      throw new AppError("conflict:merge_moved", "One of the two branches moved on or is answering right now. Open the merge again to pick their newest messages.");
    }
    if (refusal === "branch_busy") {
      throw new AppError("conflict:streaming", "An answer is still being written on this branch. Wait for it to finish or press Stop, then send again.");
    }
    if (refusal === "chat_trashed") {
      await getChat(db, input);
      throw new AppError("not_found:chat", "This chat does not exist in this project (it may have been deleted).");
    }
    if (refusal === "parent_trashed") throw new AppError("gone:message", PARENT_GONE);
    if (refusal && input.alsoInStatement) await input.alsoInStatement.explain(refusal);
    // Two retries racing: the loser's statement wrote nothing (no orphan messages); serve the winner's stream.
    const raced = await findStreamByRequest(db, input);
    if (raced) return replayOf(raced, input.chatId);
    throw error;
  }
}

type Anchor = Pick<Message, "id" | "role" | "status" | "content"> & { deleted: boolean };
type TargetBranch = Pick<Branch, "id" | "chatId" | "tipMessageId" | "title">;

/** The branch a turn writes to (the given one, or the chat's default) and the message it follows. */
export type TurnTarget = { branch: TargetBranch; anchor: Anchor | null };

type TargetJson = {
  id: string;
  chatId: string;
  tipMessageId: string | null;
  title: string;
  anchor: { id: string; chatId: string; role: Anchor["role"]; status: Anchor["status"]; content: string | null; deleted: boolean } | null;
};

/**
 * The turn's target as ONE JSON value (a scalar subquery on the given chat),
 * so the access check reads it in the same round trip. The anchor's text is
 * only read when it is the question answered again.
 */
export function turnTargetSql({ chatId, branchId, parentId, answerTo }: Pick<TurnInput, "chatId" | "branchId" | "parentId" | "answerTo">): SQL {
  const anchorId = answerTo ?? parentId ?? null;
  return sql`(select json_build_object(
      'id', b.id, 'chatId', b.chat_id, 'tipMessageId', b.tip_message_id, 'title', b.title,
      'anchor', (select json_build_object('id', a.id, 'chatId', a.chat_id, 'role', a.role, 'status', a.status,
                   'content', ${answerTo ? sql`a.content` : sql`null`}, 'deleted', a.deleted_at is not null)
                 from messages a where a.id = ${anchorId}::uuid))
    from branches b
    where b.chat_id = ${chatId} ${branchId ? sql`and b.id = ${branchId}` : sql``}
      and not exists (select 1 from messages tip where tip.id = b.tip_message_id and tip.trash_id is not null)
    -- the default branch: the one most recently written to (as defaultBranch() orders them)
    order by b.status, b.updated_at desc, b.created_at
    limit 1)`;
}

/** The target from turnTargetSql's JSON (null = no such branch). A message of another chat cannot be followed: no anchor. */
export function turnTargetFrom(value: unknown, chatId: string): TurnTarget | null {
  if (!value) return null;
  const t = (typeof value === "string" ? JSON.parse(value) : value) as TargetJson;
  const a = t.anchor;
  return {
    branch: { id: t.id, chatId: t.chatId, tipMessageId: t.tipMessageId, title: t.title },
    anchor: a && a.chatId === chatId ? { id: a.id, role: a.role, status: a.status, content: a.content ?? "", deleted: a.deleted } : null,
  };
}

async function readTurnTarget(db: Db, input: TurnInput): Promise<TurnTarget | null> {
  const [row] = await queryRows<{ target: unknown }>(
    db,
    sql`select ${turnTargetSql(input)} as target from chats c where c.id = ${input.chatId} and c.project_id = ${input.projectId} and c.trash_id is null`,
  );
  return turnTargetFrom(row?.target, input.chatId);
}

const PARENT_GONE = "That message was deleted, so the conversation cannot continue from it.";

function followable(anchor: Anchor | null): Anchor {
  if (!anchor) throw new AppError("bad_request:parent", "That message is not part of this chat, so the new message cannot follow it.");
  if (anchor.deleted) throw new AppError("gone:message", PARENT_GONE);
  return anchor;
}

const BRANCH_NAMES = { send: "Reply", regenerate: "Regenerated", escalate: "Escalated to Claude" } as const;

/**
 * All rows of a turn in ONE statement: the user message (when new), the
 * assistant message in `streaming`, the branch pointer moved (or a new branch),
 * the stream row, the chat's title and time, and the caller's extra CTEs.
 * It refuses itself ("branch_busy") when an answer already streams on the
 * branch (as of the statement's start) or the tip is no longer where the turn
 * read it, and with the caller's reason when the extra CTEs refuse.
 */
async function writeTurn(
  tx: Db,
  t: {
    chatId: string;
    by: string;
    requestId: string;
    branch: TargetBranch;
    question: { id: string; content: string; isNew: boolean };
    parentId: string | null;
    ids: { assistant: string; stream: string; branch: string };
    newBranch: { title: string } | null;
    title: string | null;
    merge?: MergePlan | null;
    also?: AlsoInStatement;
  },
): Promise<{ createdAt: Date; wasUntitled: boolean; row: Record<string, unknown> }> {
  const m = t.merge ?? null;
  const userRow = t.question.isNew
    ? sql`question as (
        insert into messages (id, chat_id, parent_id, merge_parent_id, role, content, author_id, status, created_at)
        values (${t.question.id}, ${t.chatId}, ${t.parentId}, ${m?.second.tipMessageId ?? null}::uuid, 'user', ${t.question.content}, ${t.by}, 'complete', (select at from clock))
      ),`
    : sql``;
  // A merge marks both branches merged, each only while its tip is still the one the merge joins.
  const merged = m
    ? sql`merged as (
        update branches set status = 'merged', updated_at = now()
        where chat_id = ${t.chatId} and ((id = ${m.first.branchId} and tip_message_id = ${m.first.tipMessageId})
          or (id = ${m.second.branchId} and tip_message_id = ${m.second.tipMessageId}))
        returning id
      ),`
    : sql``;
  const busyBranches = m ? sql`s.branch_id in (${m.first.branchId}, ${m.second.branchId})` : sql`s.branch_id = ${t.branch.id}`;
  const mergeRefusal = m ? sql`case when (select count(*) from merged) <> 2 then 'merge_moved' end` : sql`null`;
  const pointer = t.newBranch
    ? sql`insert into branches (id, chat_id, tip_message_id, fork_message_id, parent_branch_id, title, created_by)
        values (${t.ids.branch}, ${t.chatId}, ${t.ids.assistant}, ${t.parentId}, ${t.branch.id}, ${t.newBranch.title}, ${t.by})`
    : sql`update branches set tip_message_id = ${t.ids.assistant}, updated_at = now(), status = 'active'
        where id = ${t.branch.id} and tip_message_id is not distinct from ${t.branch.tipMessageId}::uuid`;
  // "Busy": the answer's own status decides — it is final before the stream's `end` event goes out, so a client
  // that sends right after `end` is not refused while the producer is still tidying up. A tip that moved since
  // it was read means another Send got in first, and its answer is streaming: busy too.
  const [row] = await queryRows<{ created_at: string | Date; was_untitled: boolean } & Record<string, unknown>>(
    tx,
    sql`with clock as materialized (select clock_timestamp() as at),
      -- The trash locks the chat row for update before it marks anything; this key-share lock waits for a
      -- trash in flight (and makes a trash wait for this turn), then re-reads the chat and the parent as
      -- committed, so a turn never lands under a subtree or in a chat that just went to the trash.
      live_chat as (select c.id from chats c where c.id = ${t.chatId} and c.trash_id is null for key share of c),
      live_parent as (
        select p.id from messages p
        where p.id = ${t.parentId}::uuid and p.deleted_at is null and exists (select 1 from live_chat)
        for share of p
      ),
      busy as (
        select 1 from chat_streams s join messages m on m.id = s.assistant_message_id
        where ${busyBranches} and s.status = 'running' and m.status = 'streaming'
        limit 1
      ),
      ${userRow}
      ${merged}
      answer as (
        -- a microsecond after its question, so orderings by time never put the answer first
        insert into messages (id, chat_id, parent_id, role, content, author_id, status, created_at)
        values (${t.ids.assistant}, ${t.chatId}, ${t.question.id}, 'assistant', '', null, 'streaming', (select at from clock) + interval '1 microsecond')
      ),
      pointer as (${pointer} returning id),
      stream as (
        insert into chat_streams (id, request_id, chat_id, branch_id, user_message_id, assistant_message_id, started_by)
        values (${t.ids.stream}, ${t.requestId}, ${t.chatId}, ${t.ids.branch}, ${t.question.id}, ${t.ids.assistant}, ${t.by})
        returning created_at
      ),
      touched as (
        update chats set updated_at = now(),
          title = case when title = 'New chat' and ${t.title !== null} then ${t.title ?? ""} else title end
        where id = ${t.chatId}
      )${t.also ? sql`, ${t.also.ctes}` : sql``}
    select ${refuseWhen(sql`case when not exists (select 1 from live_chat) then 'chat_trashed'
        when ${t.parentId}::uuid is not null and not exists (select 1 from live_parent) then 'parent_trashed' end`)} as gone,
      (select created_at from stream) as created_at,
      -- the chat as it was before this statement (sub-statements' writes are not visible here)
      (select title = 'New chat' from chats where id = ${t.chatId}) as was_untitled,
      ${refuseWhen(sql`coalesce(case when exists (select 1 from busy) or not exists (select 1 from pointer) then 'branch_busy' end, ${mergeRefusal}, ${t.also?.refusal ?? sql`null`})`)} as refused
      ${t.also ? sql`, ${t.also.columns}` : sql``}`,
  );
  if (!row) throw new Error("turn insert returned nothing");
  return { createdAt: new Date(row.created_at), wasUntitled: Boolean(row.was_untitled), row };
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
