import "server-only";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { type ShareLink, type ShareMode, type SharedMessage, branches, chats, messages, shareLinks, users } from "@/db/schema";
import { formatWithZone } from "@/lib/datetime";
import type { Role } from "@/lib/roles";
import { zoneOfUser } from "@/server/account/zone";
import { recordActivity } from "@/server/activity/record";
import { branchVisible, getProjectBranch } from "@/server/chat/branches";
import { getChat } from "@/server/chat/chats";
import { appLink, looksLikeToken } from "@/server/collab/links";
import { AppError } from "@/server/errors";
import { hitRateLimit, isRateLimited, TOKEN_GUESS_RULE, tooManyAttempts } from "@/server/security/rate-limit";
import { hashToken, newToken, tokenHint } from "@/server/security/secret-tokens";

export const MAX_SHARE_DAYS = 365;

export type PublicShareLink = {
  id: string;
  chatId: string;
  chatTitle: string;
  branchId: string | null;
  branchTitle: string | null;
  mode: ShareMode;
  tokenHint: string;
  createdBy: string;
  createdByName: string;
  expiresAt: Date | null;
  lastViewedAt: Date | null;
  createdAt: Date;
};

const MESSAGE_FIELDS = sql`m.id, m.parent_id as "parentId", m.role, m.content, m.status, m.tier, m.model, m.created_at::text as "createdAt"`;

/** Messages a share shows right now: a branch's path (root first), or the whole chat tree (oldest first). */
export async function currentMessages(db: Db, link: { chatId: string; branchId: string | null }): Promise<{ messages: SharedMessage[]; tipId: string | null }> {
  if (link.branchId) {
    const rows = await queryRows<SharedMessage & { depth: number }>(
      db,
      sql`with recursive up(id, parent_id, depth) as (
            select m.id, m.parent_id, 0 from branches b join messages m on m.id = b.tip_message_id
            where b.id = ${link.branchId} and b.chat_id = ${link.chatId}
            union all
            select p.id, p.parent_id, up.depth + 1 from up
            cross join lateral (select id, parent_id from messages where id = up.parent_id and chat_id = ${link.chatId}) p
          )
          select ${MESSAGE_FIELDS}, up.depth from up join messages m on m.id = up.id
          where m.deleted_at is null order by up.depth desc`,
    );
    const list = rows.map(({ depth: _d, ...m }) => m);
    return { messages: list, tipId: list.at(-1)?.id ?? null };
  }
  const list = await queryRows<SharedMessage>(
    db,
    sql`select ${MESSAGE_FIELDS} from messages m where m.chat_id = ${link.chatId} and m.deleted_at is null order by m.created_at, m.id`,
  );
  const [main] = await db
    .select({ tip: branches.tipMessageId })
    .from(branches)
    .where(and(eq(branches.chatId, link.chatId), branchVisible))
    .orderBy(desc(sql`${branches.status} = 'active'`), desc(branches.updatedAt))
    .limit(1);
  return { messages: list, tipId: main?.tip ?? list.at(-1)?.id ?? null };
}

/**
 * Share a branch (or, without `branchId`, the whole chat tree) by a link that
 * needs no sign-in. `live` follows new messages; `snapshot` freezes what is
 * there now. The token is returned once; only its hash is stored.
 */
export async function createShareLink(
  db: Db,
  args: { projectId: string; chatId: string; branchId?: string | null; mode: ShareMode; expiresInDays?: number | null; by: string },
): Promise<{ link: PublicShareLink; url: string }> {
  await getChat(db, { projectId: args.projectId, chatId: args.chatId });
  if (args.branchId) {
    const branch = await getProjectBranch(db, { projectId: args.projectId, branchId: args.branchId });
    if (branch.chatId !== args.chatId) throw new AppError("not_found:branch", "This branch is not part of this chat.");
  }
  const days = args.expiresInDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_SHARE_DAYS)) {
    throw new AppError("bad_request:expiry", `A share link expires in 1 to ${MAX_SHARE_DAYS} days, or never.`);
  }
  const token = newToken();
  const snapshot = args.mode === "snapshot" ? await currentMessages(db, { chatId: args.chatId, branchId: args.branchId ?? null }) : null;
  const [row] = await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(shareLinks)
      .values({
        projectId: args.projectId,
        chatId: args.chatId,
        branchId: args.branchId ?? null,
        mode: args.mode,
        snapshot,
        tokenHash: hashToken(token),
        tokenHint: tokenHint(token),
        createdBy: args.by,
        expiresAt: days === null ? null : new Date(Date.now() + days * 86_400_000),
      })
      .returning({ id: shareLinks.id });
    await recordActivity(tx, { projectId: args.projectId, actorId: args.by, verb: "shared", targetKind: "chat", targetId: args.chatId, detail: { mode: args.mode, branchId: args.branchId ?? null } });
    return inserted;
  });
  if (!row) throw new Error("share link insert returned nothing");
  const [link] = await listShareLinks(db, { projectId: args.projectId, viewerId: args.by, role: "owner", onlyId: row.id });
  if (!link) throw new Error("share link vanished");
  return { link, url: appLink(`/share/${token}`) };
}

/** Open links of a project: the owner sees everyone's, anyone else only their own. */
export async function listShareLinks(db: Db, args: { projectId: string; viewerId: string; role: Role; onlyId?: string }): Promise<PublicShareLink[]> {
  const rows = await db
    .select({
      id: shareLinks.id,
      chatId: shareLinks.chatId,
      chatTitle: chats.title,
      branchId: shareLinks.branchId,
      branchTitle: branches.title,
      mode: shareLinks.mode,
      tokenHint: shareLinks.tokenHint,
      createdBy: shareLinks.createdBy,
      createdByName: sql<string>`coalesce(nullif(${users.name}, ''), ${users.email})`,
      expiresAt: shareLinks.expiresAt,
      lastViewedAt: shareLinks.lastViewedAt,
      createdAt: shareLinks.createdAt,
    })
    .from(shareLinks)
    .innerJoin(chats, eq(chats.id, shareLinks.chatId))
    .innerJoin(users, eq(users.id, shareLinks.createdBy))
    .leftJoin(branches, eq(branches.id, shareLinks.branchId))
    .where(
      and(
        eq(shareLinks.projectId, args.projectId),
        isNull(shareLinks.revokedAt),
        // a link of a chat in the trash works again once the chat is restored; until then it is not open
        isNull(chats.trashId),
        sql`(${shareLinks.expiresAt} is null or ${shareLinks.expiresAt} > now())`,
        args.role === "owner" ? undefined : eq(shareLinks.createdBy, args.viewerId),
        args.onlyId ? eq(shareLinks.id, args.onlyId) : undefined,
      ),
    )
    .orderBy(desc(shareLinks.createdAt));
  return rows;
}

/** End a link at once. The owner may end any link of the project; anyone else only their own. */
export async function revokeShareLink(db: Db, args: { projectId: string; linkId: string; by: string; role: Role }): Promise<void> {
  const [link] = await db
    .select({ createdBy: shareLinks.createdBy, revokedAt: shareLinks.revokedAt })
    .from(shareLinks)
    .where(and(eq(shareLinks.id, args.linkId), eq(shareLinks.projectId, args.projectId)));
  if (!link) throw new AppError("not_found:share_link", "This share link does not exist in this project.");
  if (args.role !== "owner" && link.createdBy !== args.by) throw new AppError("forbidden:share_link", "Only the project's owner can end someone else's share link.");
  if (link.revokedAt) return;
  await db.update(shareLinks).set({ revokedAt: new Date() }).where(eq(shareLinks.id, args.linkId));
  await recordActivity(db, { projectId: args.projectId, actorId: args.by, verb: "unshared", targetKind: "share_link", targetId: args.linkId, detail: {} });
}

/**
 * Find an open link by its token. Unknown tokens count against the caller's
 * address; over the limit every lookup is refused, so a guesser cannot tell a
 * hit from a miss (TOKEN_GUESS_RULE). Ended and expired links say so.
 */
export async function findShareLink(db: Db, { token, ip, zone = "UTC" }: { token: string; ip: string; zone?: string }): Promise<ShareLink> {
  const key = `share-token:${ip}`;
  if (await isRateLimited(db, { key, rule: TOKEN_GUESS_RULE })) throw tooManyAttempts();
  const [link] = looksLikeToken(token) ? await db.select().from(shareLinks).where(eq(shareLinks.tokenHash, hashToken(token))) : [];
  if (!link) {
    const { limited } = await hitRateLimit(db, { key, rule: TOKEN_GUESS_RULE });
    if (limited) throw tooManyAttempts();
    throw new AppError("not_found:share_link", "This share link is not valid. Check that you copied the whole link.");
  }
  const ended = linkEndedError(link, zone);
  if (ended) throw ended;
  return link;
}

/** Why an existing link no longer opens (ended, or expired — stated in `zone`, the reader's or UTC), or null while it works. */
export function linkEndedError(link: Pick<ShareLink, "revokedAt" | "expiresAt">, zone = "UTC"): AppError | null {
  if (link.revokedAt) return new AppError("gone:share_revoked", "This share link was ended by the people who shared it.");
  if (link.expiresAt && link.expiresAt.getTime() <= Date.now()) return new AppError("gone:share_expired", `This share link expired on ${formatWithZone(link.expiresAt, zone)}.`);
  return null;
}

export type SharedView = {
  chatTitle: string;
  branchTitle: string | null;
  mode: ShareMode;
  /** whole tree: siblings are switchable; branch: one line */
  scope: "tree" | "branch";
  messages: SharedMessage[];
  tipId: string | null;
  /** an answer is still being written (a live share polls until it ends) */
  streaming: boolean;
};

/** What /share/<token> shows: no sign-in, read-only, nothing about the project beyond the shared chat. */
export async function viewShareLink(db: Db, { token, ip, viewerId }: { token: string; ip: string; viewerId?: string | null }): Promise<SharedView> {
  const link = await findShareLink(db, { token, ip, zone: await zoneOfUser(db, viewerId) });
  const [chat] = await db.select({ title: chats.title, trashId: chats.trashId }).from(chats).where(eq(chats.id, link.chatId));
  const [branch] = link.branchId
    ? await db.select({ title: branches.title, visible: sql<boolean>`${branchVisible}` }).from(branches).where(eq(branches.id, link.branchId))
    : [];
  // In the trash is gone for a share too; a restore brings the link back with the chat.
  if (chat?.trashId || (link.branchId && !branch?.visible)) throw new AppError("gone:share_trashed", "What this link shared was deleted by the people who shared it.");
  const shown = link.mode === "snapshot" && link.snapshot ? await withoutTrashed(db, link.snapshot) : await currentMessages(db, link);
  await db.update(shareLinks).set({ lastViewedAt: new Date() }).where(eq(shareLinks.id, link.id));
  return {
    chatTitle: chat?.title ?? "Shared chat",
    branchTitle: branch?.title ?? null,
    mode: link.mode,
    scope: link.branchId ? "branch" : "tree",
    messages: shown.messages,
    tipId: shown.tipId,
    streaming: shown.messages.some((m) => m.status === "streaming"),
  };
}

/** A snapshot keeps its frozen words, but not those of messages someone has since moved to the trash. */
async function withoutTrashed(db: Db, snapshot: { messages: SharedMessage[]; tipId: string | null }) {
  if (snapshot.messages.length === 0) return snapshot;
  const trashed = await queryRows<{ id: string }>(
    db,
    sql`select id from messages where trash_id is not null
        and id in (select jsonb_array_elements_text(${JSON.stringify(snapshot.messages.map((m) => m.id))}::jsonb)::uuid)`,
  );
  if (trashed.length === 0) return snapshot;
  const gone = new Set(trashed.map((r) => r.id));
  const kept = snapshot.messages.filter((m) => !gone.has(m.id));
  return { messages: kept, tipId: snapshot.tipId && gone.has(snapshot.tipId) ? (kept.at(-1)?.id ?? null) : snapshot.tipId };
}

/**
 * Continue as a copy: the shared messages become a new chat in a project
 * where the signed-in person may write, with the shown line as its Main
 * branch (a tree share keeps every branch's messages; Main follows `tipId`).
 */
export async function copySharedChat(db: Db, args: { token: string; ip: string; userId: string; projectId: string; tipId?: string | null }) {
  const view = await viewShareLink(db, { token: args.token, ip: args.ip, viewerId: args.userId });
  const ids = new Map(view.messages.map((m) => [m.id, crypto.randomUUID()]));
  const tip = args.tipId && ids.has(args.tipId) ? args.tipId : view.tipId;
  return db.transaction(async (tx) => {
    const [chat] = await tx
      .insert(chats)
      .values({ projectId: args.projectId, title: `${view.chatTitle} (copy)`.slice(0, 120), createdBy: args.userId })
      .returning({ id: chats.id });
    if (!chat) throw new Error("chat insert returned nothing");
    if (view.messages.length > 0) {
      await tx.insert(messages).values(
        view.messages.map((m) => ({
          id: ids.get(m.id),
          chatId: chat.id,
          parentId: m.parentId ? (ids.get(m.parentId) ?? null) : null,
          role: m.role,
          content: m.content,
          // a copy of an answer still being written is what it had written so far
          status: m.status === "streaming" ? ("stopped" as const) : (m.status as "complete"),
          tier: m.tier as "local" | "cloud" | null,
          model: m.model,
          authorId: m.role === "user" ? args.userId : null,
          createdAt: new Date(m.createdAt),
        })),
      );
    }
    const [branch] = await tx
      .insert(branches)
      .values({ chatId: chat.id, title: "Main", tipMessageId: tip ? (ids.get(tip) ?? null) : null, createdBy: args.userId })
      .returning({ id: branches.id });
    await recordActivity(tx, { projectId: args.projectId, actorId: args.userId, verb: "copied_share", targetKind: "chat", targetId: chat.id, detail: {} });
    return { chatId: chat.id, branchId: branch?.id ?? null, projectId: args.projectId };
  });
}
