import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type NotifyCategory, notificationPreferences, users } from "@/db/schema";
import { appLink } from "@/server/collab/links";
import { getEnv } from "@/server/env";
import { type MailInput, enqueueMail } from "@/server/mail/outbox";
import { DEFAULT_CHANNEL } from "./notify";

/**
 * Which mails Arbor sends (docs/notifications.md "Which mails"). Security
 * mails always go and never come through here. The optional ones are grouped
 * as a person thinks of them; each group is one or more notification
 * categories, and a group is on while any of its categories mails.
 */
export const MAIL_KINDS = {
  budget: { label: "budget alerts", categories: ["billing"] },
  activity: { label: "activity (comments, mentions, new members, finished answers)", categories: ["comment", "mention", "member", "answer"] },
  invites: { label: "project invites", categories: ["invite"] },
  handovers: { label: "project handovers", categories: ["handover"] },
} as const satisfies Record<string, { label: string; categories: readonly NotifyCategory[] }>;
export type MailKind = keyof typeof MAIL_KINDS;
export const MAIL_KIND_NAMES = Object.keys(MAIL_KINDS) as MailKind[];

export function isMailKind(value: unknown): value is MailKind {
  return typeof value === "string" && value in MAIL_KINDS;
}

/** The kind of mail a category's digest lines belong to (an unknown or missing category: activity). */
export function mailKindOf(category: string | null): MailKind {
  for (const kind of MAIL_KIND_NAMES) if ((MAIL_KINDS[kind].categories as readonly string[]).includes(category ?? "")) return kind;
  return "activity";
}

async function channelsOf(db: Db, userId: string, categories: readonly NotifyCategory[]) {
  const rows = await db
    .select({ category: notificationPreferences.category, channel: notificationPreferences.channel })
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.userId, userId), inArray(notificationPreferences.category, [...categories])));
  const chosen = new Map(rows.map((r) => [r.category, r.channel]));
  return categories.map((c) => chosen.get(c) ?? DEFAULT_CHANNEL[c]);
}

/** True when the person lets this kind of mail reach them. */
export async function wantsMail(db: Db, { userId, kind }: { userId: string; kind: MailKind }): Promise<boolean> {
  return (await channelsOf(db, userId, MAIL_KINDS[kind].categories)).some((c) => c === "mail");
}

/** The on/off state of every optional mail, for the account page. */
export async function mailChoices(db: Db, { userId }: { userId: string }): Promise<Record<MailKind, boolean>> {
  const entries = await Promise.all(MAIL_KIND_NAMES.map(async (kind) => [kind, await wantsMail(db, { userId, kind })] as const));
  return Object.fromEntries(entries) as Record<MailKind, boolean>;
}

/**
 * Turn a kind of mail on or off. Off keeps the bell ("app") for categories
 * that have one, so unsubscribing from mail does not silence Arbor itself.
 */
export async function setMailChoice(db: Db, { userId, kind, on }: { userId: string; kind: MailKind; on: boolean }): Promise<void> {
  for (const category of MAIL_KINDS[kind].categories) {
    const channel = on ? "mail" : "app";
    await db
      .insert(notificationPreferences)
      .values({ userId, category, channel })
      .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.category], set: { channel, updatedAt: new Date() } });
  }
}

// --- unsubscribe tokens --------------------------------------------------------------------------

/**
 * A signed, stateless token naming a person and a kind of mail: HMAC-SHA256
 * under AUTH_SECRET with its own label, so it can be checked without a stored
 * copy and cannot be forged or moved to another person or kind. It does not
 * expire (a link in an old mail should still work) and only ever turns mail
 * off, so the worst a leaked one does is stop mails its owner can turn back on.
 */
function sign(payload: string): string {
  return createHmac("sha256", getEnv().AUTH_SECRET).update(`arbor-unsubscribe:${payload}`).digest("base64url");
}

export function unsubscribeToken({ userId, kind }: { userId: string; kind: MailKind }): string {
  const payload = `${userId}.${kind}`;
  return `${Buffer.from(payload).toString("base64url")}.${sign(payload)}`;
}

export function readUnsubscribeToken(token: string): { userId: string; kind: MailKind } | null {
  const [encoded, mac] = token.split(".");
  if (!encoded || !mac || token.length > 300) return null;
  const payload = Buffer.from(encoded, "base64url").toString();
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const [userId, kind] = payload.split(".");
  if (!userId || !/^[0-9a-f-]{36}$/.test(userId) || !isMailKind(kind)) return null;
  return { userId, kind };
}

/** What the unsubscribe link or a mail client's one-click POST does. An unknown, forged or deleted person's token changes nothing. */
export async function unsubscribe(db: Db, { token }: { token: string }): Promise<{ kind: MailKind; email: string } | null> {
  const read = readUnsubscribeToken(token);
  if (!read) return null;
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, read.userId));
  if (!user) return null;
  await setMailChoice(db, { userId: read.userId, kind: read.kind, on: false });
  return { kind: read.kind, email: user.email };
}

export function unsubscribeUrl(args: { userId: string; kind: MailKind }): string {
  return appLink(`/unsubscribe?t=${encodeURIComponent(unsubscribeToken(args))}`);
}

/**
 * Queue an optional mail: only if the recipient lets this kind reach them,
 * with an unsubscribe line at the foot and the RFC 8058 headers, so mail
 * clients offer one-click unsubscribe (a POST to /api/unsubscribe). A
 * recipient without an account (an invite to a new address) has no choice to
 * honour and gets the mail without a link. Returns whether it was queued.
 */
export async function enqueueOptionalMail(db: Db, mail: MailInput & { kind: MailKind; userId?: string | null }): Promise<boolean> {
  const { kind, userId: given, ...rest } = mail;
  const userId =
    given ??
    (await db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${rest.to.toLowerCase()}`))[0]?.id ??
    null;
  if (!userId) {
    await enqueueMail(db, rest);
    return true;
  }
  if (!(await wantsMail(db, { userId, kind }))) return false;
  const page = unsubscribeUrl({ userId, kind });
  const oneClick = appLink(`/api/unsubscribe?t=${encodeURIComponent(unsubscribeToken({ userId, kind }))}`);
  await enqueueMail(db, {
    ...rest,
    text: `${rest.text.replace(/\n*$/, "")}\n\n—\nYou get this because ${MAIL_KINDS[kind].label} mails are on. Unsubscribe: ${page}\nOr choose on your account page: ${appLink("/account#notifications")}\n`,
    headers: { ...rest.headers, "List-Unsubscribe": `<${oneClick}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  });
  return true;
}
