import "server-only";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { type BillingAccount, type BillingTier, billingAccounts, projectMembers, reservations, usageEvents } from "@/db/schema";
import { defaultCloudModel, flaggedDefaultModel, getModelPrice } from "@/server/ai/model-prices";
import { getEnv } from "@/server/env";
import { AppError } from "@/server/errors";
import { ensureBillingAccount, type Payer, payerOfProject } from "./accounts";
import { chargeFor, costBasisMicros, type PriceRates, periodStartFor, promptTokenBound } from "./cost";
import { decryptProviderKey, loadProviderKey } from "./provider-keys";
import { formatUsd } from "@/lib/money";
import { settleReservation } from "./settle";

export type CloudReservation = {
  reservationId: string;
  requestId: string;
  payerId: string;
  billingTier: BillingTier;
  /** decrypted BYOK key, or null = platform key */
  apiKey: string | null;
  amountMicros: bigint;
};

/** A crashed process leaves its hold behind; the expiry worker gives it back after this long. */
export const RESERVATION_TTL_MS = 30 * 60 * 1000;

/** What a cloud hold depends on, read in one round trip (no locks) before the statement that places it. */
export type CloudHoldFacts = {
  payer: Payer;
  /** null when the payer has none yet */
  account: Pick<BillingAccount, "tier" | "periodStart"> | null;
  /** the payer's saved Anthropic key, still encrypted */
  keyCiphertext: string | null;
  /** the model asked for, or null = the default */
  model: string | null;
  /** that model's price; null when unknown (or when the default is not a flagged row) */
  price: (PriceRates & { model: string }) | null;
  /** a cloud call can be made at all: the platform key is set or the payer saved their own */
  cloudConfigured: boolean;
};

/**
 * The hold facts of a project's payer as one JSON value: a scalar subquery,
 * so a query that reads something else anyway (POST /api/chat's access check)
 * gets them in the same round trip. `ownerId` is the project's owner column,
 * `wanted` the model asked for (null = the flagged default). Plain SQL: this
 * is on the path to the first token, where query building is CPU that delays it.
 */
export function cloudHoldFactsSql(ownerId: SQL, wanted: SQL): SQL {
  return sql`(select json_build_object(
      'payerId', o.id, 'ownerEmail', o.email, 'ownerName', o.name,
      'tier', a.tier, 'periodStart', a.period_start, 'keyCiphertext', k.ciphertext, 'wanted', w.model,
      'model', mp.model, 'inputMicrosPerMTok', mp.input_micros_per_mtok::text, 'outputMicrosPerMTok', mp.output_micros_per_mtok::text)
    from users o
    cross join (select ${wanted}::text as model) w
    left join billing_accounts a on a.user_id = o.id
    left join provider_keys k on k.user_id = o.id and k.provider = 'anthropic'
    left join model_prices mp on mp.model = coalesce(w.model, ${flaggedDefaultModel()})
    where o.id = ${ownerId})`;
}

type FactsJson = {
  payerId: string;
  ownerEmail: string;
  ownerName: string | null;
  tier: BillingTier | null;
  periodStart: string | null;
  keyCiphertext: string | null;
  wanted: string | null;
  model: string | null;
  inputMicrosPerMTok: string | null;
  outputMicrosPerMTok: string | null;
};

/** The facts from cloudHoldFactsSql's JSON (null = the project does not exist). */
export function cloudHoldFactsFrom(value: unknown): CloudHoldFacts {
  if (!value) throw new AppError("not_found:project", "This project does not exist.");
  const f = (typeof value === "string" ? JSON.parse(value) : value) as FactsJson;
  return {
    payer: { payerId: f.payerId, ownerEmail: f.ownerEmail, ownerName: f.ownerName },
    account: f.tier && f.periodStart ? { tier: f.tier, periodStart: new Date(f.periodStart) } : null,
    keyCiphertext: f.keyCiphertext,
    model: f.wanted,
    price:
      f.model && f.inputMicrosPerMTok !== null && f.outputMicrosPerMTok !== null
        ? { model: f.model, inputMicrosPerMTok: BigInt(f.inputMicrosPerMTok), outputMicrosPerMTok: BigInt(f.outputMicrosPerMTok) }
        : null,
    cloudConfigured: Boolean(getEnv().ANTHROPIC_API_KEY) || f.keyCiphertext !== null,
  };
}

/** The model a cloud call wants before the project's and the server's defaults (ANTHROPIC_MODEL) apply; SQL for cloudHoldFactsSql. */
export function wantedModelSql(model: string | null, projectDefault: SQL): SQL {
  return sql`coalesce(${model}::text, ${projectDefault}, ${getEnv().ANTHROPIC_MODEL ?? null}::text)`;
}

/** The facts on their own; `model` null = the flagged default. */
export async function readCloudHoldFacts(db: Db, { projectId, model }: { projectId: string; model: string | null }): Promise<CloudHoldFacts> {
  const [row] = await queryRows<{ facts: unknown }>(db, sql`select ${cloudHoldFactsSql(sql`p.owner_id`, sql`${model}::text`)} as facts from projects p where p.id = ${projectId}`);
  return cloudHoldFactsFrom(row?.facts);
}

/** A hold worked out and ready to place: who pays, how much, with which key. */
export type CloudHoldPlan = {
  projectId: string;
  actorId: string;
  requestId: string;
  model: string;
  payer: Payer;
  billingTier: BillingTier;
  amountMicros: bigint;
  /** decrypted BYOK key, or null = platform key */
  apiKey: string | null;
};

/** The largest possible cost of the call, at the payer's tier. Reads only when the facts were incomplete (a new month, a first call). */
export async function planCloudHold(
  db: Db,
  facts: CloudHoldFacts,
  args: { projectId: string; actorId: string; requestId: string; maxTokens: number; promptTokens: number },
): Promise<CloudHoldPlan> {
  const model = facts.price?.model ?? facts.model ?? (await defaultCloudModel(db));
  const price = facts.price ?? (await getModelPrice(db, model));
  const costBound = costBasisMicros(price, promptTokenBound(args.promptTokens), Math.max(0, Math.ceil(args.maxTokens)));
  const fresh = facts.account && facts.account.periodStart >= periodStartFor(new Date()) ? facts.account : null;
  const account = fresh ?? (await ensureBillingAccount(db, facts.payer.payerId));
  const apiKey = account.tier === "byok" ? byokKey(facts, args.actorId) : null;
  return {
    projectId: args.projectId,
    actorId: args.actorId,
    requestId: args.requestId,
    model,
    payer: facts.payer,
    billingTier: account.tier,
    amountMicros: chargeFor(account.tier, costBound).chargedMicros,
    apiKey,
  };
}

/** The payer's tier changed between planning and placing the hold: plan again. */
export class TierChanged extends Error {}

/**
 * A planned hold as CTEs, for one statement that may write other rows too (a
 * chat turn writes its rows and its hold in one): the reservation row, then
 * the acting member's quota, then the payer's budget — each hold a conditional
 * UPDATE (`… where remaining >= amount`). On Postgres the row lock makes a
 * concurrent UPDATE re-check the condition against the committed value, so no
 * interleaving can pass a budget; PGlite runs transactions one at a time. The
 * member is held only if the reservation row is new, the payer only if the
 * member was: the payer's condition reads `budget_member`, so the member row is
 * locked first, the payer's shared row last (the order settle and release use).
 * Select `heldColumns` from the statement and pass its row to `checkHold`, or
 * let the statement refuse itself with `holdRefusal` (db/refuse.ts).
 */
export function cloudHoldCtes(plan: CloudHoldPlan): SQL {
  const amount = plan.amountMicros;
  return sql`budget_hold as (
      insert into reservations (request_id, payer_id, actor_id, project_id, amount_micros, expires_at)
      values (${plan.requestId}, ${plan.payer.payerId}, ${plan.actorId}, ${plan.projectId}, ${amount}, ${new Date(Date.now() + RESERVATION_TTL_MS).toISOString()})
      on conflict (request_id) do nothing
      returning id
    ), budget_member as (
      update project_members set reserved_micros = reserved_micros + ${amount}
      where project_id = ${plan.projectId} and user_id = ${plan.actorId} and exists (select 1 from budget_hold)
        and (quota_micros is null or quota_micros - spent_micros - reserved_micros >= ${amount})
      returning user_id
    ), budget_payer as (
      update billing_accounts set reserved_micros = reserved_micros + ${amount}, updated_at = now()
      where user_id = ${plan.payer.payerId} and tier = ${plan.billingTier} and exists (select 1 from budget_member) and ${budgetCovers(amount)}
      returning user_id
    )`;
}

export const heldColumns = sql`(select id from budget_hold) as reservation_id, exists (select 1 from budget_member) as member_held, exists (select 1 from budget_payer) as payer_held`;

export type HeldRow = { reservation_id: string | null; member_held: boolean; payer_held: boolean };

/** Why the hold's CTEs did not hold, as SQL text (NULL = held), for a statement that refuses itself (db/refuse.ts). */
export const holdRefusal = sql`case
    when not exists (select 1 from budget_hold) then 'reservation_exists'
    when not exists (select 1 from budget_member) then 'member_quota'
    when not exists (select 1 from budget_payer) then 'payer_budget'
  end`;

export type HoldRefusal = "reservation_exists" | "member_quota" | "payer_budget";

/**
 * A planned hold as part of a statement that writes other rows too and
 * refuses itself when anything fails (a chat turn): its CTEs, its refusal
 * reason, the column naming the new reservation, and the error for a refusal.
 */
export function holdInStatement(db: Db, plan: CloudHoldPlan) {
  return {
    ctes: cloudHoldCtes(plan),
    refusal: holdRefusal,
    columns: sql`(select id from budget_hold) as reservation_id`,
    reservationId: (row: Record<string, unknown>) => String(row.reservation_id),
    explain: (refusal: string) => explainRefusedHold(db, plan, refusal as HoldRefusal),
  };
}

/**
 * What the hold's statement did: the reservation, or null when one with this
 * requestId already existed; throws when the member's quota or the payer's
 * budget refused (the caller's transaction then takes everything back).
 */
export async function checkHold(tx: Db, plan: CloudHoldPlan, held: HeldRow | undefined): Promise<{ reservationId: string } | null> {
  const reservationId = held?.reservation_id ?? null;
  if (!reservationId) return null;
  if (!held?.member_held) return explainRefusedHold(tx, plan, "member_quota");
  if (!held.payer_held) return explainRefusedHold(tx, plan, "payer_budget");
  return { reservationId };
}

/**
 * The error for a refused hold, in words a person can act on (reads the
 * member's or the payer's row as it is now). TierChanged when the payer's
 * tier changed since the plan: plan again.
 */
export async function explainRefusedHold(db: Db, plan: CloudHoldPlan, reason: HoldRefusal): Promise<never> {
  const amount = plan.amountMicros;
  if (reason === "reservation_exists") throw new AppError("conflict:reservation", "This request is already being processed. Please try again.");
  if (reason === "member_quota") {
    const [member] = await db
      .select()
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, plan.projectId), eq(projectMembers.userId, plan.actorId)));
    if (!member) throw new AppError("forbidden:project", "You are not a member of this project.");
    const left = (member.quotaMicros ?? 0n) - member.spentMicros - member.reservedMicros;
    throw new AppError(
      "quota_exceeded:member",
      `This request could cost up to ${formatUsd(amount)}, but your spending quota in this project has ${formatUsd(left > 0n ? left : 0n)} left of ${formatUsd(member.quotaMicros ?? 0n)}. Ask the owner (${plan.payer.ownerEmail}) to raise your quota on the Members tab.`,
    );
  }
  const [now] = await db.select().from(billingAccounts).where(eq(billingAccounts.userId, plan.payer.payerId));
  if (now && now.tier !== plan.billingTier) throw new TierChanged();
  if (!now) throw new AppError("not_found:billing_account", "The payer has no billing account.");
  throw budgetError(now, amount, plan.payer, plan.actorId);
}

/** Places a planned hold in one statement inside the caller's transaction (see cloudHoldCtes). */
export async function holdCloudBudget(tx: Db, plan: CloudHoldPlan): Promise<{ reservationId: string } | null> {
  const [held] = await queryRows<HeldRow>(tx, sql`with ${cloudHoldCtes(plan)} select ${heldColumns}`);
  return checkHold(tx, plan, held);
}

export function reservationOf(plan: CloudHoldPlan, reservationId: string): CloudReservation {
  return { reservationId, requestId: plan.requestId, payerId: plan.payer.payerId, billingTier: plan.billingTier, apiKey: plan.apiKey, amountMicros: plan.amountMicros };
}

/**
 * Holds the largest possible cost of a cloud call against the payer's budget
 * AND the acting member's quota, in its own transaction (see holdCloudBudget).
 * Idempotent by requestId. A chat turn places its hold inside the turn's own
 * transaction instead (server/chat/stream/start.ts).
 */
export async function reserveCloudBudget(
  db: Db,
  args: { projectId: string; actorId: string; requestId: string; model: string; maxTokens: number; promptTokens: number },
): Promise<CloudReservation> {
  for (let attempt = 0; ; attempt++) {
    const facts = await readCloudHoldFacts(db, { projectId: args.projectId, model: args.model });
    const plan = await planCloudHold(db, facts, args);
    const outcome = await db
      .transaction((tx) => holdCloudBudget(tx, plan))
      .then((held) => (held ? { kind: "held" as const, reservationId: held.reservationId } : { kind: "duplicate" as const }))
      .catch((error: unknown) => {
        if (error instanceof TierChanged && attempt < 2) return { kind: "retry" as const };
        throw error;
      });
    if (outcome.kind === "retry") continue;
    if (outcome.kind === "duplicate") {
      const again = await findReservation(db, args.requestId);
      if (again) return again;
      throw new AppError("conflict:reservation", "This request is already being processed. Please try again.");
    }
    return reservationOf(plan, outcome.reservationId);
  }
}

/** The SQL twin of remainingBudget(): free = allowance left + credits; any tier with a ceiling = ceiling left. */
function budgetCovers(amount: bigint) {
  return sql`(
    (tier <> 'free' or greatest(0, free_allowance_micros - period_spent_micros) + credits_micros - reserved_micros >= ${amount})
    and (ceiling_micros is null or ceiling_micros - period_spent_micros - reserved_micros >= ${amount})
  )`;
}

function budgetError(account: BillingAccount, amount: bigint, payer: Payer, actorId: string): AppError {
  const isOwner = actorId === payer.payerId;
  const cost = formatUsd(amount);
  const overCeiling =
    account.ceilingMicros !== null && account.ceilingMicros - account.periodSpentMicros - account.reservedMicros < amount;
  if (!isOwner) {
    return new AppError(
      "payment_required:budget",
      `This request could cost up to ${cost}, more than the project owner's ${overCeiling ? "spending ceiling" : "budget"} has left this month. Ask the owner (${payer.ownerEmail}) to ${overCeiling ? "raise their ceiling" : "top up or upgrade"} on their Billing page.`,
    );
  }
  if (overCeiling) {
    return new AppError(
      "payment_required:budget",
      `This request could cost up to ${cost}, which would pass your spending ceiling of ${formatUsd(account.ceilingMicros ?? 0n)} this month (${formatUsd(account.periodSpentMicros)} spent). Raise the ceiling on the Billing page, or use a smaller model or shorter answer.`,
    );
  }
  return new AppError(
    "payment_required:budget",
    `This request could cost up to ${cost}, more than is left of your free monthly allowance of ${formatUsd(account.freeAllowanceMicros)} and your credits (${formatUsd(account.creditsMicros)}). Upgrade to Managed or buy credits on the Billing page.`,
  );
}

function byokKey(facts: CloudHoldFacts, actorId: string): string {
  if (facts.keyCiphertext) return decryptProviderKey(facts.keyCiphertext);
  throw new AppError(
    "payment_required:byok_key",
    actorId === facts.payer.payerId
      ? "Your plan is Bring your own key, but no Anthropic key is saved. Add your key on the Billing page."
      : `The project owner's plan is Bring your own key, but they have not saved an Anthropic key. Ask the owner (${facts.payer.ownerEmail}) to add one.`,
  );
}

async function findReservation(db: Db, requestId: string): Promise<CloudReservation | null> {
  const [row] = await db
    .select({ reservation: reservations, tier: billingAccounts.tier })
    .from(reservations)
    .innerJoin(billingAccounts, eq(billingAccounts.userId, reservations.payerId))
    .where(eq(reservations.requestId, requestId))
    .limit(1);
  if (!row) return null;
  return {
    reservationId: row.reservation.id,
    requestId,
    payerId: row.reservation.payerId,
    billingTier: row.tier,
    apiKey: row.tier === "byok" ? await loadProviderKey(db, row.reservation.payerId) : null,
    amountMicros: row.reservation.amountMicros,
  };
}

/**
 * Settles to real usage: exactly one usage event per request (idempotent),
 * member and payer spend moved, the rest of the hold released, alerts sent.
 */
export async function settleCloudCall(
  db: Db,
  args: { reservationId: string; messageId: string | null; model: string; tokensIn: number; tokensOut: number },
): Promise<{ usageEventId: string; chargedMicros: bigint }> {
  return settleReservation(db, args);
}

/** Gives a hold back without charging (the call never reached the provider). Idempotent. */
export async function releaseReservation(db: Db, reservationId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [closed] = await tx
      .update(reservations)
      .set({ status: "released", closedAt: new Date() })
      .where(and(eq(reservations.id, reservationId), eq(reservations.status, "open")))
      .returning();
    if (closed) await returnHold(tx, closed);
  });
}

/**
 * Subtracts a closed reservation's amount from the member's and the payer's
 * held totals — in the same lock order as reserve and settle (member row,
 * then payer row), so concurrent transactions never deadlock on Postgres.
 */
export async function returnHold(db: Db, hold: { payerId: string; actorId: string; projectId: string; amountMicros: bigint }) {
  await db
    .update(projectMembers)
    .set({ reservedMicros: sql`greatest(0, ${projectMembers.reservedMicros} - ${hold.amountMicros})` })
    .where(and(eq(projectMembers.projectId, hold.projectId), eq(projectMembers.userId, hold.actorId)));
  await db
    .update(billingAccounts)
    .set({ reservedMicros: sql`greatest(0, ${billingAccounts.reservedMicros} - ${hold.amountMicros})`, updatedAt: sql`now()` })
    .where(eq(billingAccounts.userId, hold.payerId));
}

/** Local-tier calls cost nothing but are still recorded, so usage charts show them. */
export async function recordLocalUsage(
  db: Db,
  args: { requestId: string; projectId: string; actorId: string; messageId: string | null; model: string; tokensIn: number; tokensOut: number },
): Promise<void> {
  const payer = await payerOfProject(db, args.projectId);
  await db
    .insert(usageEvents)
    .values({
      requestId: args.requestId,
      payerId: payer.payerId,
      actorId: args.actorId,
      projectId: args.projectId,
      messageId: args.messageId,
      tier: "local",
      billingTier: null,
      provider: "local",
      model: args.model,
      tokensIn: args.tokensIn,
      tokensOut: args.tokensOut,
      costBasisMicros: 0n,
      netChargeMicros: 0n,
    })
    .onConflictDoNothing({ target: usageEvents.requestId });
}
