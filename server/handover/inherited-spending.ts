import "server-only";
import { and, eq, gt, isNull, ne, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { invites, memberSpend, projectMembers, users } from "@/db/schema";
import { AppError } from "@/server/errors";

/**
 * What would charge a project's new owner the moment they accept it: the
 * previous owner's open invite links (each may bring in people with a quota)
 * and the members' quotas. The recipient decides on each — keep or revoke —
 * before anything of it is theirs to pay.
 */
export type InheritedSpending = {
  openInvites: Array<{ id: string; hint: string; role: string; quotaMicros: bigint; uses: number; maxUses: number | null; expiresAt: Date; email: string | null }>;
  memberQuotas: Array<{ userId: string; name: string | null; email: string; role: string; quotaMicros: bigint | null; spentMicros: bigint }>;
};

export type SpendingDecisions = {
  invites: Array<{ inviteId: string; keep: boolean }>;
  quotas: Array<{ userId: string; keep: boolean }>;
};

/** Open links, and members (besides the owner handing over) who may spend: a quota above $0, or none at all. */
export async function inheritedSpending(db: Db, { projectId, previousOwnerId }: { projectId: string; previousOwnerId: string }): Promise<InheritedSpending> {
  const openInvites = await db
    .select({
      id: invites.id,
      hint: invites.tokenHint,
      role: invites.role,
      quotaMicros: invites.quotaMicros,
      uses: invites.uses,
      maxUses: invites.maxUses,
      expiresAt: invites.expiresAt,
      email: invites.email,
    })
    .from(invites)
    .where(
      and(
        eq(invites.projectId, projectId),
        isNull(invites.revokedAt),
        gt(invites.expiresAt, new Date()),
        sql`(${invites.maxUses} is null or ${invites.uses} < ${invites.maxUses})`,
      ),
    )
    .orderBy(invites.createdAt);
  const memberQuotas = await db
    .select({
      userId: projectMembers.userId,
      name: users.name,
      email: users.email,
      role: projectMembers.role,
      quotaMicros: projectMembers.quotaMicros,
      spentMicros: sql<bigint>`coalesce(${memberSpend.spentMicros}, 0)`.mapWith(BigInt),
    })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .leftJoin(memberSpend, and(eq(memberSpend.projectId, projectMembers.projectId), eq(memberSpend.userId, projectMembers.userId)))
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        ne(projectMembers.role, "owner"),
        ne(projectMembers.userId, previousOwnerId),
        or(isNull(projectMembers.quotaMicros), gt(projectMembers.quotaMicros, 0n)),
      ),
    )
    .orderBy(users.email);
  return { openInvites, memberQuotas };
}

/**
 * Applies the recipient's decisions inside the accepting transaction: every
 * open link and every quota must have one (a link made or a member added
 * after the page was read is refused with a request to review again). A kept
 * link now names the new owner as its host; a revoked one stops working. A
 * kept quota stays as it is; a revoked one becomes $0 (the member stays).
 */
export async function applySpendingDecisions(
  tx: Db,
  { projectId, previousOwnerId, newOwnerId, decisions }: { projectId: string; previousOwnerId: string; newOwnerId: string; decisions: SpendingDecisions | undefined },
): Promise<{ keptInvites: number; revokedInvites: number; keptQuotas: number; revokedQuotas: number }> {
  const current = await inheritedSpending(tx, { projectId, previousOwnerId });
  const inviteChoice = new Map((decisions?.invites ?? []).map((d) => [d.inviteId, d.keep]));
  const quotaChoice = new Map((decisions?.quotas ?? []).map((d) => [d.userId, d.keep]));
  const undecided = [
    ...current.openInvites.filter((i) => !inviteChoice.has(i.id)).map((i) => `the invite link ${i.hint}`),
    ...current.memberQuotas.filter((m) => !quotaChoice.has(m.userId)).map((m) => `${m.email}'s quota`),
  ];
  if (undecided.length > 0) {
    throw new AppError(
      "bad_request:handover_decisions",
      `Before you take over, decide to keep or revoke each open invite link and member quota — they would be charged to you. Still to decide: ${undecided.join(", ")}. Reload the page if the list changed.`,
    );
  }
  const counts = { keptInvites: 0, revokedInvites: 0, keptQuotas: 0, revokedQuotas: 0 };
  for (const invite of current.openInvites) {
    if (inviteChoice.get(invite.id)) {
      await tx.update(invites).set({ hostId: newOwnerId }).where(eq(invites.id, invite.id));
      counts.keptInvites++;
    } else {
      await tx.update(invites).set({ revokedAt: new Date() }).where(and(eq(invites.id, invite.id), isNull(invites.revokedAt)));
      counts.revokedInvites++;
    }
  }
  for (const member of current.memberQuotas) {
    if (quotaChoice.get(member.userId)) {
      counts.keptQuotas++;
      continue;
    }
    await tx
      .update(projectMembers)
      .set({ quotaMicros: 0n })
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, member.userId)));
    counts.revokedQuotas++;
  }
  return counts;
}
