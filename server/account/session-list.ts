import "server-only";
import { and, desc, eq, gt } from "drizzle-orm";
import UAParser from "ua-parser-js";
import type { Db } from "@/db/client";
import { sessions, users } from "@/db/schema";
import { securityMails } from "@/server/auth/security-mails";
import { logSecurityEvent } from "@/server/auth/security-log";
import { deleteOtherSessions } from "@/server/auth/server-sessions";
import { AppError } from "@/server/errors";
import { enqueueMail } from "@/server/mail/outbox";

/** "Firefox 133 on Ubuntu", from the user agent; what a person recognises their browser by. */
export function describeBrowser(userAgent: string | null | undefined): { browser: string; system: string; label: string } {
  const parsed = new UAParser(userAgent ?? "").getResult();
  const browser = [parsed.browser.name, parsed.browser.major].filter(Boolean).join(" ") || "Unknown browser";
  const system = [parsed.os.name, parsed.os.version && parsed.os.name !== "Linux" ? parsed.os.version : null].filter(Boolean).join(" ") || "unknown system";
  return { browser, system, label: `${browser} on ${system}` };
}

/**
 * Enough of an address to recognise a network, not to pinpoint a person:
 * IPv4 keeps its first three parts, IPv6 its first three groups.
 */
export function truncateAddress(address: string | null | undefined): string {
  if (!address) return "unknown";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(address)) return `${address.split(".").slice(0, 3).join(".")}.x`;
  if (address === "::1") return "::1";
  if (address.includes(":")) {
    const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
    if (mapped?.[1]) return truncateAddress(mapped[1]);
    const groups = address.split(":").filter(Boolean).slice(0, 3);
    return groups.length ? `${groups.join(":")}::` : "::";
  }
  return "unknown";
}

export type SessionSummary = {
  id: string;
  browser: string;
  system: string;
  address: string;
  createdAt: Date;
  lastSeenAt: Date | null;
  current: boolean;
};

/** The account's signed-in sessions (not those still waiting for a second factor), this one first, then by last use. */
export async function listSessions(db: Db, { userId, currentSessionToken }: { userId: string; currentSessionToken: string | null }): Promise<SessionSummary[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), eq(sessions.stage, "full"), gt(sessions.expires, new Date())))
    .orderBy(desc(sessions.lastSeenAt), desc(sessions.createdAt));
  return rows
    .map((row) => {
      const { browser, system } = describeBrowser(row.userAgent);
      return {
        id: row.id,
        browser,
        system,
        address: truncateAddress(row.address),
        createdAt: row.createdAt,
        lastSeenAt: row.lastSeenAt,
        current: row.sessionToken === currentSessionToken,
      };
    })
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/**
 * End one of the caller's own sessions by its public id. Another person's id
 * (or one already ended) is simply not found and nothing changes; the
 * session in use is ended by signing out, so the page never pulls the rug
 * from under itself.
 */
export async function endSession(db: Db, { userId, sessionId, currentSessionToken }: { userId: string; sessionId: string; currentSessionToken: string | null }): Promise<void> {
  await db.transaction(async (tx) => {
    const [target] = await tx
      .select({ token: sessions.sessionToken, userAgent: sessions.userAgent })
      .from(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
    if (!target) throw new AppError("not_found:session", "That session is not one of yours, or it has already ended.");
    if (target.token === currentSessionToken) {
      throw new AppError("bad_request:session", "This is the session you are using now. To end it, sign out.");
    }
    await tx.delete(sessions).where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
    const { label } = describeBrowser(target.userAgent);
    await logSecurityEvent(tx, { kind: "session_ended", userId, detail: { browser: label } });
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    if (user) await enqueueMail(tx, securityMails.sessionEnded(user.email, { browser: label }));
  });
}

/** "Sign out everywhere else": every session of the account but this one. Returns how many ended. */
export async function endOtherSessions(db: Db, { userId, currentSessionToken }: { userId: string; currentSessionToken: string | null }): Promise<number> {
  return db.transaction(async (tx) => {
    const ended = await deleteOtherSessions(tx, { userId, keep: currentSessionToken });
    if (ended === 0) return 0;
    await logSecurityEvent(tx, { kind: "other_sessions_ended", userId, detail: { count: ended } });
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    if (user) await enqueueMail(tx, securityMails.otherSessionsEnded(user.email, { count: ended }));
    return ended;
  });
}

