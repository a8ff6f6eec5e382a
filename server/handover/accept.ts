import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { adapters, billingAccounts, handovers, memberSpend, projectMembers, projects, users } from "@/db/schema";
import { recordActivity } from "@/server/activity/record";
import { appLink, displayName, looksLikeToken, maskEmail } from "@/server/collab/links";
import { AppError } from "@/server/errors";
import { hitRateLimit, isRateLimited, TOKEN_GUESS_RULE, tooManyAttempts } from "@/server/security/rate-limit";
import { hashToken } from "@/server/security/secret-tokens";
import { expireHandovers, OPEN_HANDOVER_STATES } from "./expire";
import { formatUsd } from "@/lib/money";
import { applySpendingDecisions, inheritedSpending, type SpendingDecisions } from "./inherited-spending";
import { type MovedObject, moveAdaptersToProject, relocateAdapterObjects } from "@/server/adapters/handover";
import { getStorage, type Storage } from "@/server/storage/store";
import { enqueueOptionalMail } from "@/server/notify/mail-choices";
import { notify } from "@/server/notify/notify";

type HandoverRow = typeof handovers.$inferSelect;

async function findHandoverByToken(db: Db, token: string, ip: string): Promise<HandoverRow> {
  const key = `handover-token:${ip}`;
  if (await isRateLimited(db, { key, rule: TOKEN_GUESS_RULE })) throw tooManyAttempts();
  const [found] = looksLikeToken(token) ? await db.select({ id: handovers.id }).from(handovers).where(eq(handovers.tokenHash, hashToken(token))) : [];
  if (!found) {
    const { limited } = await hitRateLimit(db, { key, rule: TOKEN_GUESS_RULE });
    if (limited) throw tooManyAttempts();
    throw new AppError("not_found:handover", "This handover link is not valid. Check that you copied the whole link from the mail.");
  }
  await expireHandovers(db, { handoverId: found.id });
  const [row] = await db.select().from(handovers).where(eq(handovers.id, found.id));
  if (!row) throw new AppError("not_found:handover", "This handover no longer exists.");
  return row;
}

export type HandoverViewer = "anonymous" | "wrong_email" | "unverified" | "recipient";

/**
 * What /handover/<token> may show. The snapshot, message and price are for the
 * recipient only: anyone else (signed out, or another address) learns just
 * whom to sign in as.
 */
export async function previewHandover(db: Db, args: { token: string; ip: string; userId: string | null }) {
  const row = await findHandoverByToken(db, args.token, args.ip);
  const [context] = await db
    .select({ title: projects.title, fromName: users.name, fromEmail: users.email })
    .from(projects)
    .innerJoin(users, eq(users.id, row.fromUserId))
    .where(eq(projects.id, row.projectId));
  let viewer: HandoverViewer = "anonymous";
  let signedInAs: string | null = null;
  if (args.userId) {
    const [me] = await db.select().from(users).where(eq(users.id, args.userId));
    signedInAs = me?.email ?? null;
    viewer = !me || me.email.toLowerCase() !== row.toEmail ? "wrong_email" : me.emailVerified ? "recipient" : "unverified";
  }
  const base = {
    state: row.state,
    viewer,
    signedInAs,
    toEmailMasked: maskEmail(row.toEmail),
    fromName: context ? displayName({ name: context.fromName, email: context.fromEmail }) : "The previous owner",
    expiresAt: row.expiresAt,
  };
  if (viewer !== "recipient") return { ...base, details: null };
  const spending = await inheritedSpending(db, { projectId: row.projectId, previousOwnerId: row.fromUserId });
  return {
    ...base,
    details: {
      ...spending,
      projectId: row.projectId,
      projectTitle: context?.title ?? row.snapshot.title,
      fromEmail: context?.fromEmail ?? null,
      snapshot: row.snapshot,
      message: row.message,
      includeKnowledge: row.includeKnowledge,
      includeAdapters: row.includeAdapters,
      previousOwnerLeaves: row.previousOwnerLeaves,
      firstYearPriceMicros: row.firstYearPriceMicros,
      regularPriceMicros: row.regularPriceMicros,
    },
  };
}

function refusal(state: HandoverRow["state"]): AppError {
  switch (state) {
    case "cancelled":
      return new AppError("gone:handover_cancelled", "The owner cancelled this handover. Nothing was changed.");
    case "declined":
      return new AppError("gone:handover_declined", "This handover was declined. Nothing was changed.");
    case "expired":
      return new AppError("gone:handover_expired", "This handover link has expired. Ask the owner to start a new handover.");
    case "accepted":
    case "completed":
      return new AppError("gone:handover_completed", "This handover has already been accepted.");
    default:
      return new AppError("conflict:handover_state", "This handover cannot be accepted right now.");
  }
}

/**
 * Take over the project. Everything happens in ONE transaction, opened by a
 * conditional state change (open → accepted): of two concurrent accepts
 * exactly one changes a row; the other sees the new state and changes nothing.
 * Then: the owner and the payer change (billing follows projects.owner_id), the
 * recipient becomes the owner member, the previous owner becomes an editor
 * (quota $0 — the new payer decides what they may spend) or leaves, and what
 * was excluded moves to a new project the previous owner keeps. The
 * recipient's decision on each open invite link and member quota is applied
 * in the same transaction (inherited-spending.ts); without one for each,
 * nothing changes. Holds placed before this moment name the previous owner
 * as payer and are settled on them.
 */
export async function acceptHandover(db: Db, args: { token: string; userId: string; ip: string; decisions?: SpendingDecisions; storage?: Storage }) {
  const handover = await findHandoverByToken(db, args.token, args.ip);
  const [me] = await db.select().from(users).where(eq(users.id, args.userId));
  if (!me) throw new AppError("unauthorized:user", "Please sign in again.");
  if (me.email.toLowerCase() !== handover.toEmail) {
    throw new AppError(
      "forbidden:handover_email",
      `This handover was sent to ${maskEmail(handover.toEmail)}, but you are signed in as ${me.email}. Sign in with the address the mail was sent to.`,
    );
  }
  if (!me.emailVerified) {
    throw new AppError("forbidden:email_unverified", `Verify your email address ${me.email} first (check your inbox), then accept again.`);
  }
  if (!(OPEN_HANDOVER_STATES as readonly string[]).includes(handover.state)) throw refusal(handover.state);

  let objectMoves: MovedObject[] = [];
  const accepted = await db.transaction(async (tx) => {
    const now = new Date();
    const [won] = await tx
      .update(handovers)
      .set({ state: "accepted", acceptedAt: now, toUserId: me.id, updatedAt: now })
      .where(and(eq(handovers.id, handover.id), inArray(handovers.state, [...OPEN_HANDOVER_STATES]), sql`${handovers.expiresAt} > now()`))
      .returning();
    if (!won) {
      const [current] = await tx.select({ state: handovers.state }).from(handovers).where(eq(handovers.id, handover.id));
      throw refusal(current?.state === "email_sent" || current?.state === "pending" ? "expired" : (current?.state ?? "cancelled"));
    }

    const [project] = await tx.select().from(projects).where(eq(projects.id, won.projectId)).for("update");
    if (!project || project.ownerId !== won.fromUserId) {
      throw new AppError("conflict:handover_owner", "The project changed owner since this handover was started. Nothing was changed.");
    }
    const previousOwnerId = project.ownerId;
    const decided = await applySpendingDecisions(tx, { projectId: project.id, previousOwnerId, newOwnerId: me.id, decisions: args.decisions });

    let residualProjectId: string | null = null;
    if (!won.includeKnowledge) residualProjectId = await moveKnowledgeToNewProject(tx, project, previousOwnerId);
    // Adapters left out stay with the previous owner: in the project that keeps the knowledge, or one of their own.
    let keptAdapters = 0;
    if (!won.includeAdapters && (await tx.$count(adapters, eq(adapters.projectId, project.id))) > 0) {
      residualProjectId ??= await newKeptProject(tx, project, previousOwnerId, "adapters");
      objectMoves = await moveAdaptersToProject(tx, { fromProjectId: project.id, toProjectId: residualProjectId });
      keptAdapters = await tx.$count(adapters, eq(adapters.projectId, residualProjectId));
    }

    await tx.update(projects).set({ ownerId: me.id, updatedAt: now }).where(eq(projects.id, project.id));
    await tx
      .insert(projectMembers)
      .values({ projectId: project.id, userId: me.id, role: "owner", quotaMicros: null, lastActiveAt: now })
      .onConflictDoUpdate({
        target: [projectMembers.projectId, projectMembers.userId],
        set: { role: "owner", quotaMicros: null, lastActiveAt: now },
      });
    const previousMember = and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, previousOwnerId));
    if (won.previousOwnerLeaves) await tx.delete(projectMembers).where(previousMember);
    else {
      await tx.update(projectMembers).set({ role: "editor", quotaMicros: 0n }).where(previousMember);
      // What they spent as owner was their own money: the new payer's quota for them counts from here.
      await tx
        .update(memberSpend)
        .set({ spentMicros: 0n, updatedAt: now })
        .where(and(eq(memberSpend.projectId, project.id), eq(memberSpend.userId, previousOwnerId)));
    }

    // The recipient's first-year price, applied by billing at their next Checkout.
    await tx
      .insert(billingAccounts)
      .values({ userId: me.id, tier: "free", pendingCouponPriceMicros: won.firstYearPriceMicros })
      .onConflictDoUpdate({ target: billingAccounts.userId, set: { pendingCouponPriceMicros: won.firstYearPriceMicros, updatedAt: now } });

    await recordActivity(tx, {
      projectId: project.id,
      actorId: me.id,
      verb: "handed_over",
      targetKind: "user",
      targetId: previousOwnerId,
      detail: {
        from: previousOwnerId,
        to: me.id,
        includeKnowledge: won.includeKnowledge,
        includeAdapters: won.includeAdapters,
        previousOwnerLeaves: won.previousOwnerLeaves,
        residualProjectId,
        ...decided,
      },
    });
    const [completed] = await tx
      .update(handovers)
      .set({ state: "completed", completedAt: now, residualProjectId, updatedAt: now })
      .where(and(eq(handovers.id, won.id), eq(handovers.state, "accepted")))
      .returning();
    if (!completed) throw new Error("handover vanished inside its own transaction");

    const [previous] = await tx.select().from(users).where(eq(users.id, previousOwnerId));
    // The mail below is the news itself (sent at once, if handover mails are on); the bell gets a line too.
    await notify(tx, {
      userIds: [previousOwnerId],
      category: "handover",
      kind: "handover_accepted",
      title: `${displayName(me)} accepted “${project.title}”`,
      body: won.previousOwnerLeaves ? "They own and pay for it now; as you chose, you are no longer a member." : "They own and pay for it now; you stay in the project as an editor.",
      href: won.previousOwnerLeaves ? (residualProjectId ? `/projects/${residualProjectId}` : "/dashboard") : `/projects/${project.id}`,
      projectId: project.id,
      digest: false,
    });
    if (previous) {
      await enqueueOptionalMail(tx, {
        kind: "handovers",
        userId: previous.id,
        to: previous.email,
        subject: `${displayName(me)} accepted “${project.title}”`,
        text: [
          `${displayName(me)} (${me.email}) accepted your handover of “${project.title}” and now owns and pays for it.`,
          won.previousOwnerLeaves ? "As you chose, you are no longer a member." : "You stay in the project as an editor.",
          ...(residualProjectId && !won.includeKnowledge ? [`Your knowledge vault moved to a new project you keep: ${appLink(`/projects/${residualProjectId}/knowledge`)}`] : []),
          ...(residualProjectId && keptAdapters > 0 ? [`Your ${keptAdapters} adapter${keptAdapters === 1 ? "" : "s"} moved to a project you keep: ${appLink(`/projects/${residualProjectId}/adapters`)}`] : []),
          `The new owner's first year costs ${formatUsd(won.firstYearPriceMicros)}.`,
        ].join("\n"),
      });
    }
    return { projectId: project.id, residualProjectId };
  });
  await relocateAdapterObjects(db, args.storage ?? getStorage(), objectMoves);
  return accepted;
}

/**
 * Knowledge excluded from a handover is not lost: the sources and their chunks
 * (blobs are content-addressed and shared) move to a new project owned by the
 * previous owner. Canvas placements of the moved sources are dropped from the
 * handed-over board, since their sources are no longer in it.
 */
async function newKeptProject(tx: Db, project: typeof projects.$inferSelect, ownerId: string, what: "knowledge" | "adapters") {
  const [kept] = await tx
    .insert(projects)
    .values({
      ownerId,
      title: `${project.title} (kept ${what})`.slice(0, 200),
      description: what === "knowledge" ? `The knowledge vault of “${project.title}”, kept when the project was handed over.` : `The LoRA adapters of “${project.title}”, kept when the project was handed over.`,
      icon: project.icon,
      settings: { ...project.settings, adapterId: null },
    })
    .returning();
  if (!kept) throw new Error("project insert returned nothing");
  await tx.insert(projectMembers).values({ projectId: kept.id, userId: ownerId, role: "owner" });
  return kept.id;
}

async function moveKnowledgeToNewProject(tx: Db, project: typeof projects.$inferSelect, ownerId: string): Promise<string> {
  const kept = { id: await newKeptProject(tx, project, ownerId, "knowledge") };
  const moved = await tx.execute(sql`update sources set project_id = ${kept.id}, updated_at = now() where project_id = ${project.id} returning id, size_bytes`);
  await tx.execute(sql`update chunks set project_id = ${kept.id} where project_id = ${project.id}`);
  await tx.execute(sql`delete from canvas_nodes where project_id = ${project.id} and kind = 'source'`);
  const movedRows = (Array.isArray(moved) ? moved : ((moved as { rows?: unknown[] }).rows ?? [])) as Array<{ size_bytes: string | number }>;
  const bytes = movedRows.reduce((sum, r) => sum + Number(r.size_bytes), 0);
  if (bytes > 0) {
    await tx.execute(sql`update projects set storage_used_bytes = greatest(storage_used_bytes - ${bytes}, 0) where id = ${project.id}`);
    await tx.execute(sql`update projects set storage_used_bytes = ${bytes} where id = ${kept.id}`);
  }
  await recordActivity(tx, {
    projectId: kept.id,
    actorId: ownerId,
    verb: "created_project",
    detail: { keptFrom: project.id, sources: movedRows.length },
  });
  return kept.id;
}

/**
 * The recipient says no: the project stays exactly as it is, the link stops
 * working, and the owner who offered it hears so (bell and mail, as they
 * chose). Only the signed-in addressee may decline — anyone else could
 * otherwise end a stranger's handover with a forwarded link.
 */
export async function declineHandover(db: Db, args: { token: string; userId: string; ip: string }) {
  const handover = await findHandoverByToken(db, args.token, args.ip);
  const [me] = await db.select().from(users).where(eq(users.id, args.userId));
  if (!me) throw new AppError("unauthorized:user", "Please sign in again.");
  if (me.email.toLowerCase() !== handover.toEmail) {
    throw new AppError(
      "forbidden:handover_email",
      `This handover was sent to ${maskEmail(handover.toEmail)}, but you are signed in as ${me.email}. Sign in with the address the mail was sent to.`,
    );
  }
  if (!(OPEN_HANDOVER_STATES as readonly string[]).includes(handover.state)) throw refusal(handover.state);
  return db.transaction(async (tx) => {
    const now = new Date();
    const [row] = await tx
      .update(handovers)
      .set({ state: "declined", declinedAt: now, toUserId: me.id, updatedAt: now })
      .where(and(eq(handovers.id, handover.id), inArray(handovers.state, [...OPEN_HANDOVER_STATES])))
      .returning();
    if (!row) {
      const [current] = await tx.select({ state: handovers.state }).from(handovers).where(eq(handovers.id, handover.id));
      throw refusal(current?.state ?? "cancelled");
    }
    const [context] = await tx
      .select({ title: projects.title, fromEmail: users.email })
      .from(projects)
      .innerJoin(users, eq(users.id, row.fromUserId))
      .where(eq(projects.id, row.projectId));
    const title = context?.title ?? row.snapshot.title;
    await recordActivity(tx, { projectId: row.projectId, actorId: me.id, verb: "declined_handover", targetKind: "handover", targetId: row.id, detail: { toEmail: row.toEmail } });
    await notify(tx, {
      userIds: [row.fromUserId],
      category: "handover",
      kind: "handover_declined",
      title: `${displayName(me)} declined “${title}”`,
      body: "The project stays yours, unchanged. You can start another handover from its settings.",
      href: `/projects/${row.projectId}/settings`,
      projectId: row.projectId,
      digest: false,
    });
    if (context) {
      await enqueueOptionalMail(tx, {
        kind: "handovers",
        userId: row.fromUserId,
        to: context.fromEmail,
        subject: `${displayName(me)} declined “${title}”`,
        text: `${displayName(me)} (${me.email}) declined your handover of “${title}”. The project stays yours, unchanged.\n\nStart another from its settings: ${appLink(`/projects/${row.projectId}/settings`)}\n`,
      });
    }
    return { projectId: row.projectId, state: row.state };
  });
}
