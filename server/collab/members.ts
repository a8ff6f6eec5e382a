import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { memberSpend, projectMembers, projects, users } from "@/db/schema";
import { INVITE_ROLES, type InviteRole, type Role } from "@/lib/roles";
import { recordActivity } from "@/server/activity/record";
import { AppError } from "@/server/errors";
import { assertQuota } from "./usd";

export type MemberRow = {
  userId: string;
  name: string | null;
  email: string;
  role: Role;
  /** null = no personal cap (the owner, who pays) */
  quotaMicros: bigint | null;
  /** across every membership in this project: leaving and rejoining does not reset it */
  spentMicros: bigint;
  reservedMicros: bigint;
  /** quota − spent − held by open requests; null when uncapped */
  remainingMicros: bigint | null;
  joinedAt: Date;
  lastActiveAt: Date | null;
};

/**
 * Everyone in the project. Spend is the person's total in this project,
 * across memberships (member_spend outlives leaving). Spending figures of
 * other members are the owner's business (they pay): non-owners see them
 * only on their own row.
 */
export async function listMembers(db: Db, args: { projectId: string; viewerId: string; viewerRole: Role }): Promise<MemberRow[]> {
  const rows = await db
    .select({
      userId: projectMembers.userId,
      name: users.name,
      email: users.email,
      role: projectMembers.role,
      quotaMicros: projectMembers.quotaMicros,
      spentMicros: sql<bigint>`coalesce(${memberSpend.spentMicros}, 0)`.mapWith(BigInt),
      reservedMicros: sql<bigint>`coalesce(${memberSpend.reservedMicros}, 0)`.mapWith(BigInt),
      joinedAt: projectMembers.joinedAt,
      lastActiveAt: projectMembers.lastActiveAt,
    })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .leftJoin(memberSpend, and(eq(memberSpend.projectId, projectMembers.projectId), eq(memberSpend.userId, projectMembers.userId)))
    .where(eq(projectMembers.projectId, args.projectId))
    .orderBy(sql`case ${projectMembers.role} when 'owner' then 0 when 'editor' then 1 when 'commenter' then 2 else 3 end`, asc(projectMembers.joinedAt));
  return rows.map((r) => {
    const visible = args.viewerRole === "owner" || r.userId === args.viewerId;
    const remaining = r.quotaMicros == null ? null : r.quotaMicros - r.spentMicros - r.reservedMicros;
    return {
      ...r,
      quotaMicros: visible ? r.quotaMicros : null,
      spentMicros: visible ? r.spentMicros : 0n,
      reservedMicros: visible ? r.reservedMicros : 0n,
      remainingMicros: visible && remaining != null ? (remaining > 0n ? remaining : 0n) : null,
    };
  });
}

/** The member being changed must exist and must not be the owner (ownership moves only by handover). */
async function requireNonOwnerMember(db: Db, projectId: string, userId: string) {
  const [member] = await db
    .select()
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
    .for("update");
  if (!member) throw new AppError("not_found:member", "This person is not a member of the project.");
  if (member.role === "owner") {
    throw new AppError("bad_request:owner", "The owner's role cannot be changed here. To give the project to someone else, use Handover in Settings.");
  }
  return member;
}

export async function changeMemberRole(db: Db, args: { projectId: string; actorId: string; userId: string; role: InviteRole }) {
  if (!(INVITE_ROLES as readonly string[]).includes(args.role)) {
    throw new AppError("bad_request:role", "A member can be a viewer, commenter or editor. To make someone the owner, use Handover in Settings.");
  }
  return db.transaction(async (tx) => {
    const member = await requireNonOwnerMember(tx, args.projectId, args.userId);
    if (member.role === args.role) return { changed: false };
    await tx
      .update(projectMembers)
      .set({ role: args.role })
      .where(and(eq(projectMembers.projectId, args.projectId), eq(projectMembers.userId, args.userId)));
    await recordActivity(tx, {
      projectId: args.projectId,
      actorId: args.actorId,
      verb: "changed_role",
      targetKind: "user",
      targetId: args.userId,
      detail: { from: member.role, to: args.role },
    });
    return { changed: true };
  });
}

/** Only the cap changes; enforcement is the billing guard's (reserved + spent may never pass it). */
export async function changeMemberQuota(db: Db, args: { projectId: string; actorId: string; userId: string; quotaMicros: bigint }) {
  assertQuota(args.quotaMicros);
  return db.transaction(async (tx) => {
    const member = await requireNonOwnerMember(tx, args.projectId, args.userId);
    if (member.quotaMicros === args.quotaMicros) return { changed: false };
    await tx
      .update(projectMembers)
      .set({ quotaMicros: args.quotaMicros })
      .where(and(eq(projectMembers.projectId, args.projectId), eq(projectMembers.userId, args.userId)));
    await recordActivity(tx, {
      projectId: args.projectId,
      actorId: args.actorId,
      verb: "changed_quota",
      targetKind: "user",
      targetId: args.userId,
      detail: { from: member.quotaMicros?.toString() ?? null, to: args.quotaMicros.toString() },
    });
    return { changed: true };
  });
}

/**
 * The owner removes someone. Their spend stays counted (member_spend), and
 * the removal is recorded there, so no link made before it lets them back in
 * (invites.ts); only a link the owner makes afterwards can.
 */
export async function removeMember(db: Db, args: { projectId: string; actorId: string; userId: string }) {
  return db.transaction(async (tx) => {
    const member = await requireNonOwnerMember(tx, args.projectId, args.userId);
    await tx.delete(projectMembers).where(and(eq(projectMembers.projectId, args.projectId), eq(projectMembers.userId, args.userId)));
    await tx
      .insert(memberSpend)
      .values({ projectId: args.projectId, userId: args.userId, removedAt: sql`clock_timestamp()` })
      .onConflictDoUpdate({ target: [memberSpend.projectId, memberSpend.userId], set: { removedAt: sql`clock_timestamp()`, updatedAt: sql`now()` } });
    await recordActivity(tx, {
      projectId: args.projectId,
      actorId: args.actorId,
      verb: "removed",
      targetKind: "user",
      targetId: args.userId,
      detail: { role: member.role },
    });
  });
}

/** A member leaves on their own. The owner cannot: the project would have no one to pay for it. */
export async function leaveProject(db: Db, args: { projectId: string; userId: string }) {
  return db.transaction(async (tx) => {
    const [project] = await tx.select({ ownerId: projects.ownerId }).from(projects).where(eq(projects.id, args.projectId));
    if (project?.ownerId === args.userId) {
      throw new AppError("bad_request:owner_leave", "The owner cannot leave the project. Hand it over to someone else in Settings, or delete it.");
    }
    const gone = await tx
      .delete(projectMembers)
      .where(and(eq(projectMembers.projectId, args.projectId), eq(projectMembers.userId, args.userId)))
      .returning({ role: projectMembers.role });
    if (gone.length === 0) throw new AppError("not_found:member", "You are not a member of this project.");
    await recordActivity(tx, { projectId: args.projectId, actorId: args.userId, verb: "left", targetKind: "user", targetId: args.userId });
  });
}
