import "server-only";
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { invites, memberSpend, projectMembers, projects, users } from "@/db/schema";
import { INVITE_ROLES, type InviteRole, ROLE_CAN, ROLE_LABEL } from "@/lib/roles";
import { formatWithZone } from "@/lib/datetime";
import { zoneOfAddress, zoneOfUser } from "@/server/account/zone";
import { recordActivity } from "@/server/activity/record";
import { AppError } from "@/server/errors";
import { hitRateLimit, isRateLimited, TOKEN_GUESS_RULE, tooManyAttempts } from "@/server/security/rate-limit";
import { hashToken, newToken, tokenHint } from "@/server/security/secret-tokens";
import { appLink, displayName, looksLikeToken, maskEmail } from "./links";
import { assertQuota } from "./usd";
import { enqueueOptionalMail } from "@/server/notify/mail-choices";
import { notify } from "@/server/notify/notify";


export const MIN_EXPIRY_HOURS = 1;
/** 90 days: long enough for a slow reply, short enough that a forgotten link dies. */
export const MAX_EXPIRY_HOURS = 90 * 24;
/** A link for a group is still a bounded number of people: every one of them can spend up to the quota. */
export const MAX_INVITE_USES = 1000;

export type CreateInviteArgs = {
  projectId: string;
  hostId: string;
  role: InviteRole;
  quotaMicros: bigint;
  expiresInHours: number;
  /** how many people may join with the link; one when not given (a link is for a person, not a crowd) */
  maxUses?: number;
  email?: string | null;
};

/** The token is returned here once and never again: only its hash is stored. */
export async function createInvite(db: Db, args: CreateInviteArgs) {
  if (!(INVITE_ROLES as readonly string[]).includes(args.role)) {
    throw new AppError("bad_request:role", "An invite can make someone a viewer, commenter or editor — a project has one owner (use handover to change it).");
  }
  assertQuota(args.quotaMicros);
  if (!Number.isInteger(args.expiresInHours) || args.expiresInHours < MIN_EXPIRY_HOURS || args.expiresInHours > MAX_EXPIRY_HOURS) {
    throw new AppError("bad_request:expiry", `An invite must expire in 1 to ${MAX_EXPIRY_HOURS} hours (90 days).`);
  }
  const maxUses = args.maxUses ?? 1;
  if (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > MAX_INVITE_USES) {
    throw new AppError("bad_request:max_uses", `Maximum uses must be a whole number from 1 to ${MAX_INVITE_USES}.`);
  }
  const email = args.email?.trim().toLowerCase() || null;
  const token = newToken();
  const url = appLink(`/invite/${token}`);
  const expiresAt = new Date(Date.now() + args.expiresInHours * 3_600_000);

  return db.transaction(async (tx) => {
    const [context] = await tx
      .select({ title: projects.title, hostName: users.name, hostEmail: users.email })
      .from(projects)
      .innerJoin(users, eq(users.id, args.hostId))
      .where(eq(projects.id, args.projectId));
    if (!context) throw new AppError("not_found:project", "This project does not exist.");
    const [invite] = await tx
      .insert(invites)
      .values({
        projectId: args.projectId,
        hostId: args.hostId,
        tokenHash: hashToken(token),
        tokenHint: tokenHint(token),
        role: args.role,
        quotaMicros: args.quotaMicros,
        expiresAt,
        maxUses,
        email,
      })
      .returning();
    if (!invite) throw new Error("invite insert returned nothing");
    await recordActivity(tx, {
      projectId: args.projectId,
      actorId: args.hostId,
      verb: "invited",
      targetKind: "invite",
      targetId: invite.id,
      detail: { role: args.role, quotaMicros: args.quotaMicros.toString(), email, hint: invite.tokenHint },
    });
    if (email) {
      const host = displayName({ name: context.hostName, email: context.hostEmail });
      await enqueueOptionalMail(tx, {
        kind: "invites",
        to: email,
        subject: `${host} invited you to “${context.title}” on Arbor`,
        text: [
          `${host} invited you to join the project “${context.title}” on Arbor as ${ROLE_LABEL[args.role].toLowerCase()} — you will be able to ${ROLE_CAN[args.role]}.`,
          "",
          `Accept the invite: ${url}`,
          "",
          `The link works until ${formatWithZone(expiresAt, await zoneOfAddress(tx, email))} and only for ${email}. If you did not expect it, ignore this mail.`,
        ].join("\n"),
      });
    }
    return { token, url, invite: publicInvite(invite) };
  });
}

type InviteRow = typeof invites.$inferSelect;

export type InviteStatus = "open" | "expired" | "revoked" | "used_up";

function statusOf(invite: InviteRow, now = new Date()): InviteStatus {
  if (invite.revokedAt) return "revoked";
  if (invite.expiresAt <= now) return "expired";
  if (invite.maxUses != null && invite.uses >= invite.maxUses) return "used_up";
  return "open";
}

/** What the owner's list may show: never the hash. */
function publicInvite(invite: InviteRow) {
  return {
    id: invite.id,
    hint: invite.tokenHint,
    role: invite.role,
    quotaMicros: invite.quotaMicros,
    expiresAt: invite.expiresAt,
    maxUses: invite.maxUses,
    uses: invite.uses,
    email: invite.email,
    createdAt: invite.createdAt,
    status: statusOf(invite),
  };
}
export type PublicInvite = ReturnType<typeof publicInvite>;

/** Open invites of a project (not revoked, not expired), newest first. */
export async function listOpenInvites(db: Db, { projectId }: { projectId: string }): Promise<PublicInvite[]> {
  const rows = await db
    .select()
    .from(invites)
    .where(and(eq(invites.projectId, projectId), isNull(invites.revokedAt), gt(invites.expiresAt, new Date())))
    .orderBy(desc(invites.createdAt));
  return rows.map(publicInvite);
}

export async function revokeInvite(db: Db, args: { projectId: string; inviteId: string; actorId: string }) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(invites)
      .set({ revokedAt: new Date() })
      .where(and(eq(invites.id, args.inviteId), eq(invites.projectId, args.projectId), isNull(invites.revokedAt)))
      .returning();
    if (!row) throw new AppError("not_found:invite", "This invite does not exist or was already revoked.");
    await recordActivity(tx, {
      projectId: args.projectId,
      actorId: args.actorId,
      verb: "revoked_invite",
      targetKind: "invite",
      targetId: row.id,
      detail: { hint: row.tokenHint, role: row.role },
    });
    return publicInvite(row);
  });
}

/**
 * Find an invite by its token. Malformed or unknown tokens count against the
 * caller's address; over the limit, every lookup is refused (see TOKEN_GUESS_RULE).
 */
async function findInviteByToken(db: Db, token: string, ip: string): Promise<InviteRow> {
  const key = `invite-token:${ip}`;
  if (await isRateLimited(db, { key, rule: TOKEN_GUESS_RULE })) throw tooManyAttempts();
  const [invite] = looksLikeToken(token) ? await db.select().from(invites).where(eq(invites.tokenHash, hashToken(token))) : [];
  if (!invite) {
    const { limited } = await hitRateLimit(db, { key, rule: TOKEN_GUESS_RULE });
    if (limited) throw tooManyAttempts();
    throw new AppError("not_found:invite", "This invite link is not valid. Check that you copied the whole link, or ask the owner for a new one.");
  }
  return invite;
}

/** `zone`: the caller's time zone, in which the expiry is stated. */
function refusal(invite: InviteRow, status: Exclude<InviteStatus, "open">, hostEmail: string, zone: string): AppError {
  switch (status) {
    case "revoked":
      return new AppError("gone:invite_revoked", `This invite was revoked. Ask ${hostEmail} for a new link.`);
    case "expired":
      return new AppError("gone:invite_expired", `This invite expired on ${formatWithZone(invite.expiresAt, zone)}. Ask ${hostEmail} for a new link.`);
    case "used_up":
      return new AppError("gone:invite_used_up", `This invite has been used the maximum number of times. Ask ${hostEmail} for a new link.`);
  }
}

export type InvitePreview = {
  projectTitle: string;
  role: InviteRole;
  roleCan: string;
  hostName: string;
  hostEmail: string;
  quotaMicros: bigint;
  expiresAt: Date;
  status: InviteStatus;
  /** masked; the invite works only for this address */
  restrictedTo: string | null;
  /** set when the viewer is already a member: where to go instead */
  memberProjectId: string | null;
};

/** What /invite/<token> shows, signed in or not. */
export async function previewInvite(db: Db, args: { token: string; ip: string; userId: string | null }): Promise<InvitePreview> {
  const invite = await findInviteByToken(db, args.token, args.ip);
  const [context] = await db
    .select({ title: projects.title, hostName: users.name, hostEmail: users.email })
    .from(projects)
    .innerJoin(users, eq(users.id, invite.hostId))
    .where(eq(projects.id, invite.projectId));
  if (!context) throw new AppError("not_found:invite", "The project of this invite no longer exists.");
  let memberProjectId: string | null = null;
  if (args.userId) {
    const [member] = await db
      .select({ projectId: projectMembers.projectId })
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, invite.projectId), eq(projectMembers.userId, args.userId)));
    memberProjectId = member?.projectId ?? null;
  }
  return {
    projectTitle: context.title,
    role: invite.role,
    roleCan: ROLE_CAN[invite.role],
    hostName: displayName({ name: context.hostName, email: context.hostEmail }),
    hostEmail: context.hostEmail,
    quotaMicros: invite.quotaMicros,
    expiresAt: invite.expiresAt,
    status: statusOf(invite),
    restrictedTo: invite.email ? maskEmail(invite.email) : null,
    memberProjectId,
  };
}

/**
 * Join a project through an invite, in one transaction. The membership row is
 * inserted first (a second accept by the same person is a no-op that spends no
 * use); the use is then taken by a conditional update, so concurrent accepts
 * can never pass max_uses — the loser's transaction rolls back entirely.
 */
export async function acceptInvite(db: Db, args: { token: string; userId: string; ip: string }) {
  const invite = await findInviteByToken(db, args.token, args.ip);
  return db.transaction(async (tx) => {
    const [person] = await tx.select().from(users).where(eq(users.id, args.userId));
    if (!person) throw new AppError("unauthorized:user", "Please sign in again.");
    const [host] = await tx.select({ email: users.email }).from(users).where(eq(users.id, invite.hostId));
    const hostEmail = host?.email ?? "the project owner";

    const [existing] = await tx
      .select({ role: projectMembers.role })
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, invite.projectId), eq(projectMembers.userId, args.userId)));
    if (existing) return { projectId: invite.projectId, role: existing.role, alreadyMember: true };

    const status = statusOf(invite);
    if (status !== "open") throw refusal(invite, status, hostEmail, await zoneOfUser(tx, args.userId));
    // Removed by the owner after this link was made: the link cannot bring them back (a newer one can).
    const [removal] = await tx
      .select({ removedAt: memberSpend.removedAt })
      .from(memberSpend)
      .where(and(eq(memberSpend.projectId, invite.projectId), eq(memberSpend.userId, args.userId)));
    if (removal?.removedAt && removal.removedAt >= invite.createdAt) {
      throw new AppError(
        "forbidden:invite_removed",
        `The owner removed you from this project after this link was made, so it no longer lets you in. Ask ${hostEmail} for a new invite if you should be back.`,
      );
    }
    if (invite.email) {
      if (person.email.toLowerCase() !== invite.email) {
        throw new AppError(
          "forbidden:invite_email",
          `This invite is for ${maskEmail(invite.email)}, but you are signed in as ${person.email}. Sign in with that address, or ask ${hostEmail} for a new link.`,
        );
      }
      if (!person.emailVerified) {
        throw new AppError("forbidden:email_unverified", `Verify your email address ${person.email} first (check your inbox), then accept again.`);
      }
    }

    const joined = await tx
      .insert(projectMembers)
      .values({ projectId: invite.projectId, userId: args.userId, role: invite.role, quotaMicros: invite.quotaMicros, lastActiveAt: new Date() })
      .onConflictDoNothing()
      .returning({ role: projectMembers.role });
    if (joined.length === 0) {
      // A concurrent accept by the same person won; it already spent the use.
      return { projectId: invite.projectId, role: invite.role, alreadyMember: true };
    }
    const taken = await tx
      .update(invites)
      .set({ uses: sql`${invites.uses} + 1` })
      .where(
        and(
          eq(invites.id, invite.id),
          isNull(invites.revokedAt),
          gt(invites.expiresAt, new Date()),
          sql`(${invites.maxUses} is null or ${invites.uses} < ${invites.maxUses})`,
        ),
      )
      .returning({ uses: invites.uses });
    if (taken.length === 0) {
      const [now] = await tx.select().from(invites).where(eq(invites.id, invite.id));
      const lateStatus = now ? statusOf(now) : "revoked";
      throw refusal(invite, lateStatus === "open" ? "used_up" : lateStatus, hostEmail, await zoneOfUser(tx, args.userId));
    }
    await recordActivity(tx, {
      projectId: invite.projectId,
      actorId: args.userId,
      verb: "joined",
      targetKind: "user",
      targetId: args.userId,
      detail: { role: invite.role, via: "invite", hint: invite.tokenHint },
    });
    const [project] = await tx.select({ ownerId: projects.ownerId, title: projects.title }).from(projects).where(eq(projects.id, invite.projectId));
    if (project) {
      await notify(tx, {
        userIds: [project.ownerId].filter((id) => id !== args.userId),
        category: "member",
        kind: "member_joined",
        title: `${displayName(person)} joined “${project.title}”`,
        body: `As ${ROLE_LABEL[invite.role].toLowerCase()}, through the invite link ${invite.tokenHint}.`,
        href: `/projects/${invite.projectId}/members`,
        projectId: invite.projectId,
      });
    }
    return { projectId: invite.projectId, role: invite.role, alreadyMember: false };
  });
}
