import "server-only";
import { and, asc, desc, eq, isNull, lte, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { type MovedTip, type TrashItem, branches, chatSummaries, chats, messages, trashItems, users } from "@/db/schema";
import { recordActivity } from "@/server/activity/record";
import { AppError } from "@/server/errors";
import { branchesContaining, defaultBranch } from "./branches";

/**
 * The project's trash: a message with everything below it, or a whole chat,
 * kept for 30 days and restorable exactly as it was. Nothing moves or is
 * copied — the rows are marked (`deleted_at` + `trash_id`), so branches,
 * citations, comments, canvas positions and generation traces stay attached
 * and come back with the restore. Every reader already hides deleted messages;
 * chats and branches are hidden through `chats.trash_id` and a trashed tip.
 * @see docs/chat.md#trash
 */
export const TRASH_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const LABEL_CHARS = 80;

const STREAMING_REFUSAL =
  "An answer in this part of the conversation is still being written. Wait for it to finish or stop it, then move it to the trash.";

/** The message and its whole subtree go to the trash (an editor's action; the router checks the role). */
export async function trashMessage(db: Db, { projectId, messageId, by }: { projectId: string; messageId: string; by: string }) {
  return db.transaction(async (tx) => {
    const [found] = await tx
      .select({ id: messages.id, chatId: messages.chatId, parentId: messages.parentId, content: messages.content, deletedAt: messages.deletedAt })
      .from(messages)
      .innerJoin(chats, eq(chats.id, messages.chatId))
      .where(and(eq(messages.id, messageId), eq(chats.projectId, projectId), isNull(chats.trashId), isNull(messages.trashId)))
      .limit(1);
    if (!found) throw new AppError("not_found:message", "This message is not in this project (it may already be in the trash).");
    if (found.deletedAt) throw new AppError("gone:message", "This message was deleted.");
    // Lock the chat: a turn inserting a message or a stream in it waits for this to commit.
    await tx.select({ id: chats.id }).from(chats).where(eq(chats.id, found.chatId)).for("update");
    const live = sql`(with recursive sub as (
        select id from messages where id = ${messageId} and chat_id = ${found.chatId}
        union all
        select m.id from messages m join sub on m.parent_id = sub.id where m.deleted_at is null
      ) select id from sub)`;
    await refuseWhileAnswering(tx, { chatId: found.chatId, within: live });
    const [item] = await tx
      .insert(trashItems)
      .values({
        projectId,
        kind: "message",
        chatId: found.chatId,
        messageId,
        label: labelOf(found.content),
        deletedBy: by,
        purgeAfter: sql`clock_timestamp() + make_interval(days => ${TRASH_DAYS})`,
        deletedAt: sql`clock_timestamp()`,
      })
      .returning();
    if (!item) throw new Error("trash insert returned nothing");
    const marked = await queryRows<{ id: string }>(
      tx,
      sql`update messages set deleted_at = (select deleted_at from trash_items where id = ${item.id}), trash_id = ${item.id} where id in ${live} returning id`,
    );
    // Branches that grew past the subtree's root keep the part above it: their tip steps up to the root's
    // parent, and steps back on restore. Branches born inside the subtree (forked there) hide with it.
    const moved = await queryRows<{ branchId: string; tipMessageId: string }>(
      tx,
      sql`select b.id as "branchId", b.tip_message_id as "tipMessageId" from branches b
          join messages t on t.id = b.tip_message_id and t.trash_id = ${item.id}
          left join messages f on f.id = b.fork_message_id
          where b.chat_id = ${found.chatId} and (f.id is null or f.trash_id is distinct from ${item.id})`,
    );
    const movedTips: MovedTip[] = moved.map((m) => ({ ...m, movedTo: found.parentId }));
    for (const m of movedTips) {
      await tx.update(branches).set({ tipMessageId: found.parentId }).where(eq(branches.id, m.branchId));
    }
    await tx.update(trashItems).set({ messageCount: marked.length, movedTips }).where(eq(trashItems.id, item.id));
    await markSummaryStale(tx, found.chatId);
    await recordActivity(tx, { projectId, actorId: by, verb: "trashed_message", targetKind: "message", targetId: messageId, detail: { chatId: found.chatId } });
    const hidden = await queryRows<{ id: string }>(
      tx,
      sql`select b.id from branches b join messages t on t.id = b.tip_message_id where b.chat_id = ${found.chatId} and t.trash_id = ${item.id}`,
    );
    // where a reader on a branch that just disappeared goes: the branch that still holds the parent
    const [fallback] = found.parentId ? await branchesContaining(tx, { chatId: found.chatId, messageId: found.parentId }) : [];
    const branchId = fallback?.id ?? (await defaultBranch(tx, { chatId: found.chatId })).id;
    return { trashId: item.id, messageCount: marked.length, chatId: found.chatId, parentId: found.parentId, hiddenBranchIds: hidden.map((h) => h.id), branchId };
  });
}

/** The whole chat goes to the trash: gone from the list, the canvas, search, shares and exports. */
export async function trashChat(db: Db, { projectId, chatId, by }: { projectId: string; chatId: string; by: string }) {
  return db.transaction(async (tx) => {
    const [chat] = await tx
      .select({ id: chats.id, title: chats.title })
      .from(chats)
      .where(and(eq(chats.id, chatId), eq(chats.projectId, projectId), isNull(chats.trashId)))
      .for("update");
    if (!chat) throw new AppError("not_found:chat", "This chat does not exist in this project (it may already be in the trash).");
    await refuseWhileAnswering(tx, { chatId, within: null });
    const [item] = await tx
      .insert(trashItems)
      .values({
        projectId,
        kind: "chat",
        chatId,
        label: chat.title,
        deletedBy: by,
        purgeAfter: sql`clock_timestamp() + make_interval(days => ${TRASH_DAYS})`,
        deletedAt: sql`clock_timestamp()`,
      })
      .returning();
    if (!item) throw new Error("trash insert returned nothing");
    await tx.update(chats).set({ trashId: item.id }).where(eq(chats.id, chatId));
    // Messages already in the trash on their own keep their own item, so each restore stays exact.
    const marked = await queryRows<{ id: string }>(
      tx,
      sql`update messages set deleted_at = (select deleted_at from trash_items where id = ${item.id}), trash_id = ${item.id} where chat_id = ${chatId} and deleted_at is null returning id`,
    );
    await tx.update(trashItems).set({ messageCount: marked.length }).where(eq(trashItems.id, item.id));
    await recordActivity(tx, { projectId, actorId: by, verb: "trashed_chat", targetKind: "chat", targetId: chatId, detail: { title: chat.title } });
    return { trashId: item.id, messageCount: marked.length, ok: true as const };
  });
}

/**
 * Mirrors project deletion: an answer still being written (or holding budget) would be cut off
 * under its reader, so the delete is refused with what to do instead.
 */
async function refuseWhileAnswering(db: Db, { chatId, within }: { chatId: string; within: ReturnType<typeof sql> | null }) {
  const [busy] = await queryRows<{ n: number }>(
    db,
    within
      ? sql`select count(*)::int as n from chat_streams s
            where s.chat_id = ${chatId} and s.status = 'running' and (s.assistant_message_id in ${within} or s.user_message_id in ${within})`
      : sql`select count(*)::int as n from chat_streams s where s.chat_id = ${chatId} and s.status = 'running'`,
  );
  const [streaming] = await queryRows<{ n: number }>(
    db,
    within
      ? sql`select count(*)::int as n from messages where id in ${within} and status = 'streaming'`
      : sql`select count(*)::int as n from messages where chat_id = ${chatId} and status = 'streaming' and deleted_at is null`,
  );
  if ((busy?.n ?? 0) > 0 || (streaming?.n ?? 0) > 0) throw new AppError("conflict:answer_in_progress", STREAMING_REFUSAL);
}

export type TrashListItem = {
  id: string;
  kind: TrashItem["kind"];
  label: string;
  chatId: string;
  chatTitle: string;
  messageId: string | null;
  messageCount: number;
  deletedAt: Date;
  deletedBy: string | null;
  purgeAfter: Date;
  daysLeft: number;
};

/** The trash page: newest first, with who deleted it and how many days are left. */
export async function listTrash(db: Db, { projectId, now = new Date() }: { projectId: string; now?: Date }): Promise<TrashListItem[]> {
  const rows = await db
    .select({
      id: trashItems.id,
      kind: trashItems.kind,
      label: trashItems.label,
      chatId: trashItems.chatId,
      chatTitle: chats.title,
      messageId: trashItems.messageId,
      messageCount: trashItems.messageCount,
      deletedAt: trashItems.deletedAt,
      deletedBy: sql<string | null>`coalesce(${users.name}, ${users.email})`,
      purgeAfter: trashItems.purgeAfter,
    })
    .from(trashItems)
    .innerJoin(chats, eq(chats.id, trashItems.chatId))
    .leftJoin(users, eq(users.id, trashItems.deletedBy))
    .where(eq(trashItems.projectId, projectId))
    .orderBy(desc(trashItems.deletedAt), asc(trashItems.id));
  return rows.map((r) => ({ ...r, daysLeft: Math.max(0, Math.ceil((r.purgeAfter.getTime() - now.getTime()) / DAY_MS)) }));
}

/**
 * Put an item back exactly as it was, in one transaction. A subtree whose chat, or whose parent
 * message, is itself in the trash is refused with the item to restore first: restoring it alone
 * would hang it under nothing, and restoring the other item silently would bring back more than asked.
 */
export async function restoreTrashItem(db: Db, { projectId, trashId, by }: { projectId: string; trashId: string; by: string }) {
  return db.transaction(async (tx) => {
    const [item] = await tx
      .select()
      .from(trashItems)
      .where(and(eq(trashItems.id, trashId), eq(trashItems.projectId, projectId)))
      .for("update");
    if (!item) throw new AppError("not_found:trash", "This item is not in this project's trash (it may have been restored or removed).");
    if (item.kind === "message" && item.messageId) {
      const [blocker] = await queryRows<{ kind: string; label: string }>(
        tx,
        sql`select t.kind, t.label from trash_items t
            where t.id = (select c.trash_id from chats c where c.id = ${item.chatId})
               or t.id = (select p.trash_id from messages r join messages p on p.id = r.parent_id where r.id = ${item.messageId})
            order by (t.kind = 'chat') desc limit 1`,
      );
      if (blocker) {
        throw new AppError(
          "conflict:trash_parent",
          blocker.kind === "chat"
            ? `Its chat, “${blocker.label}”, is in the trash too. Restore the chat first, then this.`
            : `The message it follows, “${blocker.label}”, is in the trash too. Restore that first, then this.`,
        );
      }
    } else {
      await tx.update(chats).set({ trashId: null }).where(eq(chats.trashId, item.id));
    }
    const restored = await queryRows<{ id: string }>(
      tx,
      sql`update messages set deleted_at = null, trash_id = null where trash_id = ${item.id} returning id`,
    );
    // A branch tip goes back only if nobody wrote on that branch since; otherwise the branch keeps its new line.
    for (const m of item.movedTips) {
      await tx
        .update(branches)
        .set({ tipMessageId: m.tipMessageId })
        .where(and(eq(branches.id, m.branchId), m.movedTo === null ? isNull(branches.tipMessageId) : eq(branches.tipMessageId, m.movedTo)));
    }
    await tx.delete(trashItems).where(eq(trashItems.id, item.id));
    if (item.kind === "message") await markSummaryStale(tx, item.chatId);
    await recordActivity(tx, {
      projectId,
      actorId: by,
      verb: item.kind === "chat" ? "restored_chat" : "restored_message",
      targetKind: item.kind,
      targetId: item.messageId ?? item.chatId,
      detail: { chatId: item.chatId },
    });
    return { kind: item.kind, chatId: item.chatId, messageId: item.messageId, messageCount: restored.length };
  });
}

/** Remove one item for good: the owner's "Delete forever", and the purge worker after 30 days. */
export async function purgeTrashItem(db: Db, { projectId, trashId }: { projectId: string; trashId: string }) {
  return db.transaction(async (tx) => {
    const [item] = await tx
      .select()
      .from(trashItems)
      .where(and(eq(trashItems.id, trashId), eq(trashItems.projectId, projectId)))
      .for("update");
    if (!item) throw new AppError("not_found:trash", "This item is not in this project's trash (it may have been restored or removed).");
    await purge(tx, item);
    return { ok: true as const };
  });
}

async function purge(tx: Db, item: TrashItem) {
  if (item.kind === "chat") {
    // the chat's cascade takes its messages, branches, streams, shares, summary and this item
    await tx.delete(chats).where(eq(chats.id, item.chatId));
    return;
  }
  // Branches whose tip is in the item would lose their tip to `set null` and show up empty: they go with it.
  await tx.execute(sql`delete from branches where chat_id = ${item.chatId} and tip_message_id in (select id from messages where trash_id = ${item.id})`);
  // the root's cascade takes the subtree (and with each message its citations, comments, traces) and this item
  if (item.messageId) await tx.delete(messages).where(eq(messages.id, item.messageId));
}

/**
 * The trash worker: items whose 30 days are over are removed for good. Each is claimed with
 * `skip locked`, so several instances can run this side by side without removing one twice.
 */
export async function purgeDueTrash(db: Db, { limit = 50 }: { limit?: number } = {}): Promise<number> {
  let purged = 0;
  for (let i = 0; i < limit; i++) {
    const done = await db.transaction(async (tx) => {
      const [item] = await tx.select().from(trashItems).where(lte(trashItems.purgeAfter, sql`clock_timestamp()`)).orderBy(asc(trashItems.purgeAfter)).limit(1).for("update", { skipLocked: true });
      if (!item) return false;
      await purge(tx, item);
      return true;
    });
    if (!done) break;
    purged++;
  }
  return purged;
}

/** The chat's summary may quote what went to the trash (or miss what came back): the summariser redoes it. */
async function markSummaryStale(tx: Db, chatId: string) {
  await tx.update(chatSummaries).set({ chatUpdatedAt: null }).where(eq(chatSummaries.chatId, chatId));
}

function labelOf(content: string): string {
  const flat = content.replace(/\s+/g, " ").trim();
  if (!flat) return "(empty message)";
  return flat.length > LABEL_CHARS ? `${flat.slice(0, LABEL_CHARS - 1)}…` : flat;
}
