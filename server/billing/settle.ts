import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import type { BillingTier, Reservation } from "@/db/schema";
import { AppError } from "@/server/errors";
import { type AlertAccount, sendBudgetAlerts } from "./alerts";
import { chargeFor, costBasisMicros, periodStartFor } from "./cost";
import { recordIncident } from "./incidents";
import { findProviderTarget } from "@/server/providers/models";

export type Usage = { tokensIn: number; tokensOut: number };
export type SettledCharge = { usageEventId: string; chargedMicros: bigint };

/**
 * Charges a hold for the usage the upstream reported, on the terms the hold
 * recorded (tier, whose key, the model's prices) — never the account's tier
 * as it is now — and gives the rest of the hold back. One transaction of two
 * statements (every answer pays for it, so it is as few round trips as the
 * locks allow):
 *
 * 1. lock and read: the reservation, then the member's spend row, then the
 *    payer (the order every hold and release takes), with the usage event a
 *    first settle left and the model's provider;
 * 2. write, all or nothing on the usage event (`request_id` unique — a second
 *    settle returns the first and changes nothing): the event, the hold
 *    closed, the payer charged (the monthly period rolled over first when the
 *    calendar month changed), the member's spend, their last activity.
 *
 * The charge is computed here between the two, from rows this transaction
 * holds locked. A hold the expiry worker already closed is still charged (the
 * tokens were used) but not returned twice. Usage past the hold is charged
 * too, and recorded as an incident. A message that was deleted meanwhile is
 * not linked (the tokens were still used).
 */
export async function settleReservation(db: Db, { reservationId, messageId, usage }: { reservationId: string; messageId: string | null; usage: Usage }): Promise<SettledCharge> {
  return db.transaction(async (tx) => {
    const now = new Date();
    const periodStart = periodStartFor(now);
    const [locked] = await queryRows<LockedRow>(tx, lockForSettlement(reservationId, periodStart));
    if (!locked) throw new AppError("not_found:reservation", "This budget reservation does not exist.");
    const hold = holdOf(locked);
    if (locked.earlier_id) return { usageEventId: locked.earlier_id, chargedMicros: BigInt(locked.earlier_charged ?? "0") };
    if (locked.account_tier === null) throw new AppError("not_found:billing_account", "The payer has no billing account.");

    const tokensIn = Math.max(0, Math.ceil(usage.tokensIn));
    const tokensOut = Math.max(0, Math.ceil(usage.tokensOut));
    const tier = hold.billingTier;
    const charge = chargeFor(tier, costBasisMicros({ inputMicrosPerMTok: hold.inputMicrosPerMTok, outputMicrosPerMTok: hold.outputMicrosPerMTok }, tokensIn, tokensOut), hold.keySource);
    // A project's own provider: its owner pays it directly, so the payer's month (allowance, ceiling, invoice) is not touched.
    const ownProvider = hold.keySource === "provider";
    const periodCharge = ownProvider ? 0n : charge.chargedMicros;
    if (charge.chargedMicros > hold.amountMicros) await recordOverHold(tx, hold, charge.chargedMicros, { tokensIn, tokensOut });
    // A new calendar month starts the period afresh (the allowance too); the write below rolls the row the same way.
    const spentBefore = locked.rolls ? 0n : BigInt(locked.period_spent_micros ?? "0");
    const allowance = BigInt(locked.free_allowance_micros ?? "0");
    const credits = BigInt(locked.credits_micros ?? "0");
    // Free tier: the monthly allowance pays first, credits after it. Paid tiers: credits first, the rest goes on the invoice.
    const fromAllowance = tier === "free" ? min(charge.billableMicros, max(0n, allowance - spentBefore)) : 0n;
    const creditsApplied = min(credits, charge.billableMicros - fromAllowance);
    const netCharge = charge.billableMicros - creditsApplied;
    const upstream = ownProvider ? await providerModelNamed(tx, hold) : { provider: locked.provider ?? "anthropic", model: hold.model };

    const [written] = await queryRows<{ usage_event_id: string | null }>(
      tx,
      sql`with ev as (
            insert into usage_events (request_id, payer_id, actor_id, project_id, message_id, tier, billing_tier, provider, model,
              tokens_in, tokens_out, cost_basis_micros, markup_micros, fee_micros, credits_applied_micros, net_charge_micros)
            values (${hold.requestId}, ${hold.payerId}, ${hold.actorId}, ${hold.projectId}, (select id from messages where id = ${messageId}::uuid),
              'cloud', ${tier}, ${upstream.provider}, ${upstream.model}, ${tokensIn}, ${tokensOut},
              ${charge.costBasisMicros}, ${charge.markupMicros}, ${charge.feeMicros}, ${creditsApplied}, ${netCharge})
            on conflict (request_id) do nothing
            returning id
          ), claimed as (
            update reservations set status = 'settled', closed_at = now()
            where id = ${hold.id} and status = 'open' and exists (select 1 from ev)
            returning amount_micros
          ), payer as (
            update billing_accounts set
              period_start = case when period_start < ${periodStart.toISOString()}::timestamptz then ${periodStart.toISOString()}::timestamptz else period_start end,
              period_spent_micros = (case when period_start < ${periodStart.toISOString()}::timestamptz then 0 else period_spent_micros end) + ${periodCharge},
              credits_micros = credits_micros - ${creditsApplied},
              reserved_micros = greatest(0, reserved_micros - coalesce((select amount_micros from claimed), 0)),
              unbilled_micros = unbilled_micros + ${tier === "free" ? 0n : netCharge},
              updated_at = now()
            where user_id = ${hold.payerId} and exists (select 1 from ev)
            returning 1
          ), spend as (
            -- the person's spend in the project, kept even if they left meanwhile (so a quota cannot be reset by leaving)
            insert into member_spend as ms (project_id, user_id, spent_micros)
            select ${hold.projectId}, ${hold.actorId}, ${charge.chargedMicros} where exists (select 1 from ev)
            on conflict (project_id, user_id) do update set
              spent_micros = ms.spent_micros + excluded.spent_micros,
              reserved_micros = greatest(0, ms.reserved_micros - coalesce((select amount_micros from claimed), 0)),
              updated_at = now()
            returning 1
          ), active as (
            update project_members set last_active_at = now()
            where project_id = ${hold.projectId} and user_id = ${hold.actorId} and exists (select 1 from ev)
            returning 1
          )
          select (select id from ev) as usage_event_id`,
    );
    if (!written?.usage_event_id) {
      const raced = await usageFor(tx, hold.requestId);
      if (raced) return raced;
      throw new AppError("conflict:usage", "This request was settled concurrently. Please reload.");
    }
    await sendBudgetAlerts(tx, {
      userId: hold.payerId,
      tier: locked.account_tier,
      ceilingMicros: locked.ceiling_micros === null ? null : BigInt(locked.ceiling_micros),
      freeAllowanceMicros: allowance,
      periodSpentMicros: spentBefore + periodCharge,
      periodStart: locked.rolls ? periodStart : new Date(Number(locked.period_start_ms)),
    } satisfies AlertAccount);
    return { usageEventId: written.usage_event_id, chargedMicros: charge.chargedMicros };
  });
}

/** Money and counts as text, so both drivers hand back the same thing. */
type LockedRow = {
  id: string;
  request_id: string;
  payer_id: string;
  actor_id: string;
  project_id: string;
  amount_micros: string;
  billing_tier: BillingTier;
  model: string;
  input_micros_per_mtok: string;
  output_micros_per_mtok: string;
  bound_tokens_in: number;
  bound_tokens_out: number;
  key_source: Reservation["keySource"];
  earlier_id: string | null;
  earlier_charged: string | null;
  provider: string | null;
  account_tier: BillingTier | null;
  credits_micros: string | null;
  ceiling_micros: string | null;
  free_allowance_micros: string | null;
  period_spent_micros: string | null;
  period_start_ms: string | null;
  rolls: boolean | null;
};

/**
 * One statement that takes the settlement's locks in order — each lock's CTE
 * is read by the next one's condition, so the reservation is locked before
 * the member's spend row and that before the payer's account — and reads what
 * the charge needs.
 */
function lockForSettlement(reservationId: string, periodStart: Date) {
  return sql`with hold as (
      select * from reservations where id = ${reservationId} for update
    ), spend as (
      select ms.user_id from member_spend ms, hold
      where ms.project_id = hold.project_id and ms.user_id = hold.actor_id
      for update of ms
    ), account as (
      select a.* from billing_accounts a
      where a.user_id = (select payer_id from hold) and (select count(*) from spend) >= 0
      for update of a
    )
    select hold.id, hold.request_id, hold.payer_id, hold.actor_id, hold.project_id, hold.amount_micros::text as amount_micros,
      hold.billing_tier, hold.model, hold.input_micros_per_mtok::text as input_micros_per_mtok,
      hold.output_micros_per_mtok::text as output_micros_per_mtok, hold.bound_tokens_in, hold.bound_tokens_out, hold.key_source,
      earlier.id as earlier_id, (earlier.cost_basis_micros + earlier.markup_micros + earlier.fee_micros)::text as earlier_charged,
      (select p.provider from model_prices p where p.model = hold.model) as provider,
      account.tier as account_tier, account.credits_micros::text as credits_micros, account.ceiling_micros::text as ceiling_micros,
      account.free_allowance_micros::text as free_allowance_micros, account.period_spent_micros::text as period_spent_micros,
      (extract(epoch from account.period_start) * 1000)::bigint::text as period_start_ms,
      account.period_start < ${periodStart.toISOString()}::timestamptz as rolls
    from hold
    left join usage_events earlier on earlier.request_id = hold.request_id
    left join account on true`;
}

function holdOf(row: LockedRow): Pick<
  Reservation,
  "id" | "requestId" | "payerId" | "actorId" | "projectId" | "amountMicros" | "billingTier" | "model" | "inputMicrosPerMTok" | "outputMicrosPerMTok" | "boundTokensIn" | "boundTokensOut" | "keySource"
> {
  return {
    id: row.id,
    requestId: row.request_id,
    payerId: row.payer_id,
    actorId: row.actor_id,
    projectId: row.project_id,
    amountMicros: BigInt(row.amount_micros),
    billingTier: row.billing_tier,
    model: row.model,
    inputMicrosPerMTok: BigInt(row.input_micros_per_mtok),
    outputMicrosPerMTok: BigInt(row.output_micros_per_mtok),
    boundTokensIn: Number(row.bound_tokens_in),
    boundTokensOut: Number(row.bound_tokens_out),
    keySource: row.key_source,
  };
}

async function recordOverHold(tx: Db, hold: ReturnType<typeof holdOf>, chargedMicros: bigint, usage: Usage) {
  await recordIncident(tx, {
    kind: "charge_over_hold",
    requestId: hold.requestId,
    reservationId: hold.id,
    payerId: hold.payerId,
    heldMicros: hold.amountMicros,
    chargedMicros,
    detail: { model: hold.model, tier: hold.billingTier, bound: { tokensIn: hold.boundTokensIn, tokensOut: hold.boundTokensOut }, reported: usage },
  });
}

async function usageFor(db: Db, requestId: string): Promise<SettledCharge | null> {
  const [row] = await queryRows<{ id: string; charged: string }>(
    db,
    sql`select id, (cost_basis_micros + markup_micros + fee_micros)::text as charged from usage_events where request_id = ${requestId} limit 1`,
  );
  return row ? { usageEventId: row.id, chargedMicros: BigInt(row.charged) } : null;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** The provider's name and its upstream model id (the hold names the model by its key); the key itself once the provider is gone. */
async function providerModelNamed(tx: Db, hold: { projectId: string; model: string }): Promise<{ provider: string; model: string }> {
  const target = await findProviderTarget(tx, { projectId: hold.projectId, key: hold.model });
  return target ? { provider: target.providerName, model: target.model } : { provider: "custom", model: hold.model };
}
