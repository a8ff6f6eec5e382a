import "server-only";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { type NotifyCategory, type NotifyChannel, NOTIFY_CATEGORIES, notificationPreferences, notifications } from "@/db/schema";

/**
 * Where each category goes until the person chooses: what is addressed to you (mentions, money, a project
 * handed to you) also mails; news of the project (comments, members joining, finished answers) stays in the bell.
 */
export const DEFAULT_CHANNEL: Record<NotifyCategory, NotifyChannel> = {
  comment: "app",
  mention: "mail",
  member: "app",
  answer: "app",
  billing: "mail",
  invite: "mail",
  handover: "mail",
};

export async function notificationPreferencesOf(db: Db, userId: string): Promise<Record<NotifyCategory, NotifyChannel>> {
  const rows = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
  const chosen = new Map(rows.map((r) => [r.category, r.channel]));
  return Object.fromEntries(NOTIFY_CATEGORIES.map((c) => [c, chosen.get(c) ?? DEFAULT_CHANNEL[c]])) as Record<NotifyCategory, NotifyChannel>;
}

export async function setNotificationPreference(db: Db, args: { userId: string; category: NotifyCategory; channel: NotifyChannel }) {
  await db
    .insert(notificationPreferences)
    .values(args)
    .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.category], set: { channel: args.channel, updatedAt: new Date() } });
}

/**
 * Tell people about something, each as they chose for its category: the
 * bell, the bell and a digest mail, or nothing. Call it in the transaction of
 * the change it is about. Security mails never come through here: they always go.
 */
export async function notify(
  db: Db,
  args: {
    userIds: string[];
    category: NotifyCategory;
    kind: string;
    title: string;
    body: string;
    href?: string | null;
    projectId?: string | null;
    /** false when the caller sends its own mail for this event (a handover offer carries its link): the bell only, never a digest line */
    digest?: boolean;
  },
): Promise<number> {
  const userIds = [...new Set(args.userIds)];
  if (userIds.length === 0) return 0;
  const chosen = await db
    .select({ userId: notificationPreferences.userId, channel: notificationPreferences.channel })
    .from(notificationPreferences)
    .where(and(inArray(notificationPreferences.userId, userIds), eq(notificationPreferences.category, args.category)));
  const channelOf = new Map(chosen.map((r) => [r.userId, r.channel]));
  const rows = userIds
    .map((userId) => ({ userId, channel: channelOf.get(userId) ?? DEFAULT_CHANNEL[args.category] }))
    .filter((r) => r.channel !== "none")
    .map((r) => ({
      userId: r.userId,
      kind: args.kind, title: args.title, body: args.body, href: args.href ?? null, projectId: args.projectId ?? null, category: args.category, mailPending: r.channel === "mail" && args.digest !== false }));
  if (rows.length > 0) await db.insert(notifications).values(rows);
  return rows.length;
}

export type BellItem = { id: string; kind: string; title: string; body: string; href: string | null; readAt: Date | null; createdAt: Date };

/** The bell: the newest 30 and how many are unread. */
export async function listBell(db: Db, userId: string): Promise<{ items: BellItem[]; unread: number }> {
  const items = await db
    .select({ id: notifications.id, kind: notifications.kind, title: notifications.title, body: notifications.body, href: notifications.href, readAt: notifications.readAt, createdAt: notifications.createdAt })
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(desc(notifications.createdAt))
    .limit(30);
  return { items, unread: await unreadCount(db, userId) };
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from notifications where user_id = ${userId} and read_at is null`);
  return Number(row?.n ?? 0);
}

/** Mark one (or, without an id, every) notification of the caller read. Another person's id simply matches nothing. */
export async function markRead(db: Db, { userId, notificationId }: { userId: string; notificationId?: string }) {
  await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt), notificationId ? eq(notifications.id, notificationId) : undefined));
}
