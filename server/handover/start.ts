import "server-only";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { adapters, type HandoverSnapshot, handovers, projects, users } from "@/db/schema";
import { formatWithZone } from "@/lib/datetime";
import { formatUsd } from "@/lib/money";
import { zoneOfAddress } from "@/server/account/zone";
import { recordActivity } from "@/server/activity/record";
import { appLink, displayName } from "@/server/collab/links";
import { AppError } from "@/server/errors";
import { hashToken, newToken } from "@/server/security/secret-tokens";
import { HANDOVER_FIRST_YEAR_PRICE_MICROS, HANDOVER_REGULAR_PRICE_MICROS, HANDOVER_TTL_MS } from "./config";
import { expireHandovers, OPEN_HANDOVER_STATES } from "./expire";
import { enqueueOptionalMail } from "@/server/notify/mail-choices";
import { notify } from "@/server/notify/notify";

export type StartHandoverArgs = {
  projectId: string;
  fromUserId: string;
  toEmail: string;
  includeKnowledge: boolean;
  includeAdapters: boolean;
  previousOwnerLeaves: boolean;
  message: string;
};

/** What the recipient is offered: counted now, so the mail and the page show the project as it was handed over. */
export async function takeSnapshot(db: Db, { projectId, title }: { projectId: string; title: string }): Promise<HandoverSnapshot> {
  const [row] = await queryRows<{ chats: number; messages: number; sources: number; size: string | number }>(
    db,
    sql`select
          (select count(*)::int from chats c where c.project_id = ${projectId}) as chats,
          (select count(*)::int from messages m join chats c on c.id = m.chat_id where c.project_id = ${projectId} and m.deleted_at is null) as messages,
          (select count(*)::int from sources s where s.project_id = ${projectId}) as sources,
          (select coalesce(sum(s.size_bytes), 0)::bigint from sources s where s.project_id = ${projectId})
            + (select coalesce(sum(octet_length(m.content)), 0)::bigint from messages m join chats c on c.id = m.chat_id where c.project_id = ${projectId}) as size`,
  );
  // Failed uploads hold nothing and are not handed over as adapters.
  const adapterRows = await db
    .select({ name: adapters.name, baseModel: adapters.baseModel, sizeBytes: adapters.sizeBytes, rank: adapters.rank, status: adapters.status })
    .from(adapters)
    .where(and(eq(adapters.projectId, projectId), sql`${adapters.status} <> 'error'`))
    .orderBy(adapters.name);
  return {
    title,
    chats: Number(row?.chats ?? 0),
    messages: Number(row?.messages ?? 0),
    sources: Number(row?.sources ?? 0),
    sizeBytes: Number(row?.size ?? 0),
    adapterList: adapterRows,
  };
}

/**
 * Record the handover and queue its mail in ONE transaction. The state goes
 * straight to `email_sent`: the outbox row commits with it and the sender
 * delivers it with retries, so "queued in the outbox" is as good as sent.
 * The token is returned to the caller (for tests); the router never shows it
 * to the owner — it belongs to the recipient's inbox.
 */
export async function startHandover(db: Db, args: StartHandoverArgs) {
  const toEmail = args.toEmail.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(toEmail)) throw new AppError("bad_request:email", "Enter the recipient's email address.");
  if (args.message.length > 2000) throw new AppError("bad_request:message", "Keep the message under 2,000 characters.");
  await expireHandovers(db, { projectId: args.projectId });
  const token = newToken();
  const url = appLink(`/handover/${token}`);

  return db.transaction(async (tx) => {
    // Lock the project row: two owners' tabs starting at once must not create two open handovers.
    const [project] = await tx.select().from(projects).where(eq(projects.id, args.projectId)).for("update");
    if (!project) throw new AppError("not_found:project", "This project does not exist.");
    if (project.ownerId !== args.fromUserId) throw new AppError("forbidden:handover", "Only the project's owner can hand it over.");
    const [from] = await tx.select().from(users).where(eq(users.id, args.fromUserId));
    if (!from) throw new AppError("unauthorized:user", "Please sign in again.");
    if (from.email.toLowerCase() === toEmail) {
      throw new AppError("bad_request:handover_self", "You already own this project. Enter the email of the person who should take it over.");
    }
    const [open] = await tx
      .select({ id: handovers.id, toEmail: handovers.toEmail })
      .from(handovers)
      .where(and(eq(handovers.projectId, args.projectId), inArray(handovers.state, [...OPEN_HANDOVER_STATES])));
    if (open) {
      throw new AppError("conflict:handover_open", `A handover to ${open.toEmail} is already waiting. Cancel it before starting another.`);
    }

    const snapshot = await takeSnapshot(tx, { projectId: project.id, title: project.title });
    const now = new Date();
    const [row] = await tx
      .insert(handovers)
      .values({
        projectId: project.id,
        fromUserId: args.fromUserId,
        toEmail,
        tokenHash: hashToken(token),
        includeKnowledge: args.includeKnowledge,
        includeAdapters: args.includeAdapters,
        previousOwnerLeaves: args.previousOwnerLeaves,
        message: args.message.trim(),
        snapshot,
        firstYearPriceMicros: HANDOVER_FIRST_YEAR_PRICE_MICROS,
        regularPriceMicros: HANDOVER_REGULAR_PRICE_MICROS,
        state: "email_sent",
        emailSentAt: now,
        expiresAt: new Date(now.getTime() + HANDOVER_TTL_MS),
      })
      .returning();
    if (!row) throw new Error("handover insert returned nothing");

    const fromName = displayName(from);
    await enqueueOptionalMail(tx, {
      kind: "handovers",
      to: toEmail,
      subject: `${fromName} wants to hand over “${project.title}” to you on Arbor`,
      text: [
        `${fromName} (${from.email}) would like you to take over the Arbor project “${project.title}”:`,
        `${snapshot.chats} chats, ${snapshot.messages} messages, ${snapshot.sources} knowledge sources.`,
        args.includeKnowledge ? "The knowledge vault is included." : "The knowledge vault is not included (it stays with them).",
        ...(snapshot.adapterList?.length
          ? [
              args.includeAdapters
                ? `Its ${snapshot.adapterList.length} LoRA adapter${snapshot.adapterList.length === 1 ? " is" : "s are"} included: ${snapshot.adapterList.map((a) => a.name).join(", ")}.`
                : `Its LoRA adapters (${snapshot.adapterList.map((a) => a.name).join(", ")}) are not included (they stay with them).`,
            ]
          : []),
        ...(row.message ? ["", `Their message: ${row.message}`] : []),
        "",
        `As the new owner you pay for the project's cloud use. Your first year of the managed plan costs ${formatUsd(row.firstYearPriceMicros)} instead of ${formatUsd(row.regularPriceMicros)}.`,
        "",
        `Review and accept: ${url}`,
        "",
        `Sign in with ${toEmail} to accept. The link works until ${formatWithZone(row.expiresAt, await zoneOfAddress(tx, toEmail))}.`,
      ].join("\n"),
    });
    // A recipient who already has an account sees the offer in the bell too (the link itself is only in the mail).
    const [recipient] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${toEmail}`);
    if (recipient && recipient.id !== args.fromUserId) {
      await notify(tx, {
        userIds: [recipient.id],
        category: "handover",
        kind: "handover_offered",
        title: `${fromName} wants to hand over “${project.title}” to you`,
        body: `Open the link in the mail sent to ${toEmail} to review and accept or decline it. It works for 7 days.`,
        href: null,
        projectId: project.id,
        digest: false,
      });
    }
    await recordActivity(tx, {
      projectId: project.id,
      actorId: args.fromUserId,
      verb: "started_handover",
      targetKind: "handover",
      targetId: row.id,
      detail: { toEmail },
    });
    return { token, url, handover: publicHandover(row) };
  });
}

type HandoverRow = typeof handovers.$inferSelect;

/** What the owner's panel shows: never the hash. */
export function publicHandover(row: HandoverRow) {
  return {
    id: row.id,
    toEmail: row.toEmail,
    state: row.state,
    includeKnowledge: row.includeKnowledge,
    includeAdapters: row.includeAdapters,
    previousOwnerLeaves: row.previousOwnerLeaves,
    message: row.message,
    snapshot: row.snapshot,
    firstYearPriceMicros: row.firstYearPriceMicros,
    regularPriceMicros: row.regularPriceMicros,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    emailSentAt: row.emailSentAt,
    acceptedAt: row.acceptedAt,
    completedAt: row.completedAt,
    cancelledAt: row.cancelledAt,
    declinedAt: row.declinedAt,
    residualProjectId: row.residualProjectId,
  };
}
export type PublicHandover = ReturnType<typeof publicHandover>;

/**
 * The latest handover of the project that `viewerId` started, whatever its
 * state. The Settings panel polls it; keyed by starter rather than by role, so
 * the previous owner still sees "Completed" after they stopped being the owner,
 * and a new owner starts with a clean panel.
 */
export async function latestHandover(db: Db, args: { projectId: string; viewerId: string }): Promise<PublicHandover | null> {
  await expireHandovers(db, { projectId: args.projectId });
  const [row] = await db
    .select()
    .from(handovers)
    .where(and(eq(handovers.projectId, args.projectId), eq(handovers.fromUserId, args.viewerId)))
    .orderBy(desc(handovers.createdAt))
    .limit(1);
  return row ? publicHandover(row) : null;
}

export async function cancelHandover(db: Db, args: { projectId: string; handoverId: string; actorId: string }) {
  await expireHandovers(db, { handoverId: args.handoverId });
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(handovers)
      .set({ state: "cancelled", cancelledAt: new Date(), updatedAt: new Date() })
      .where(
        and(eq(handovers.id, args.handoverId), eq(handovers.projectId, args.projectId), inArray(handovers.state, [...OPEN_HANDOVER_STATES])),
      )
      .returning();
    if (!row) {
      const [current] = await tx
        .select({ state: handovers.state })
        .from(handovers)
        .where(and(eq(handovers.id, args.handoverId), eq(handovers.projectId, args.projectId)));
      if (!current) throw new AppError("not_found:handover", "This handover does not exist.");
      throw new AppError("conflict:handover_state", `This handover is ${current.state.replace("_", " ")} and can no longer be cancelled.`);
    }
    await recordActivity(tx, {
      projectId: args.projectId,
      actorId: args.actorId,
      verb: "cancelled_handover",
      targetKind: "handover",
      targetId: row.id,
      detail: { toEmail: row.toEmail },
    });
    return publicHandover(row);
  });
}
