import "server-only";
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { explainRefusedHold, type HoldRefusal } from "./hold-refusal";
import type { CloudHoldPlan } from "./hold-plan";

/** A crashed process leaves its hold behind; the expiry worker settles it after this long. */
export const RESERVATION_TTL_MS = 30 * 60 * 1000;

/**
 * A planned hold as CTEs, for a statement that may write other rows too (a
 * chat turn writes its rows and its hold in one): the reservation row with
 * the terms it is settled on, then the acting member's quota, then the
 * payer's budget — each hold a conditional UPDATE (`… where remaining >=
 * amount`). On Postgres the row lock makes a concurrent UPDATE re-check the
 * condition against the committed value (an upsert's DO UPDATE too), so no
 * interleaving can pass a budget; PGlite runs statements one at a time. The
 * member is held only if the reservation row is new, the payer only if the
 * member was: the payer's condition reads `budget_member`, so the member's
 * spend row is locked first, the payer's shared row last (the order settle
 * and release use).
 */
export function cloudHoldCtes(plan: CloudHoldPlan): SQL {
  const amount = plan.amountMicros;
  return sql`budget_hold as (
      insert into reservations (request_id, stream_id, payer_id, actor_id, project_id, amount_micros, expires_at,
        billing_tier, key_source, model, input_micros_per_mtok, output_micros_per_mtok, bound_tokens_in, bound_tokens_out)
      values (${plan.requestId}, ${plan.streamId}::uuid, ${plan.payer.payerId}, ${plan.actorId}, ${plan.projectId}, ${amount}, ${new Date(Date.now() + RESERVATION_TTL_MS).toISOString()},
        ${plan.billingTier}, ${plan.keySource}, ${plan.model}, ${plan.price.inputMicrosPerMTok}, ${plan.price.outputMicrosPerMTok}, ${plan.bound.tokensIn}, ${plan.bound.tokensOut})
      on conflict (request_id) do nothing
      returning id
    ), budget_member as (
      -- the actor must be a member; their spend lives in member_spend (it outlives the membership) and is capped by
      -- the membership's quota: the quota left is checked on the spend row as locked, the first hold creates the row
      insert into member_spend as ms (project_id, user_id, reserved_micros)
      select m.project_id, m.user_id, ${amount} from project_members m
      where m.project_id = ${plan.projectId} and m.user_id = ${plan.actorId} and exists (select 1 from budget_hold)
        and (m.quota_micros is null or m.quota_micros >= ${amount})
      on conflict (project_id, user_id) do update set reserved_micros = ms.reserved_micros + excluded.reserved_micros, updated_at = now()
        where coalesce((select q.quota_micros - ms.spent_micros - ms.reserved_micros from project_members q
                        where q.project_id = ms.project_id and q.user_id = ms.user_id), ${amount}) >= ${amount}
      returning user_id
    ), budget_payer as (
      update billing_accounts set reserved_micros = reserved_micros + ${amount}, updated_at = now()
      where user_id = ${plan.payer.payerId} and tier = ${plan.billingTier} and exists (select 1 from budget_member)
        and ${plan.keySource === "provider" ? sql`true` : budgetCovers(amount)}
      returning user_id
    )`;
}

/**
 * The SQL twin of remainingBudget(). Not asked of a project's own provider:
 * Arbor bills none of that call, so only the member's quota limits it (the
 * payer's row still carries the hold, so every release path stays the same).
 * Free = allowance left + credits; any tier with a ceiling = ceiling left.
 */
function budgetCovers(amount: bigint): SQL {
  return sql`(
    (tier <> 'free' or greatest(0, free_allowance_micros - period_spent_micros) + credits_micros - reserved_micros >= ${amount})
    and (ceiling_micros is null or ceiling_micros - period_spent_micros - reserved_micros >= ${amount})
  )`;
}

/** Why the hold's CTEs did not hold, as SQL text (NULL = held), for a statement that refuses itself (db/refuse.ts). */
const holdRefusal = sql`case
    when not exists (select 1 from budget_hold) then 'reservation_exists'
    when not exists (select 1 from budget_member) then 'member_quota'
    when not exists (select 1 from budget_payer) then 'payer_budget'
  end`;

/**
 * A planned hold as part of a statement that refuses itself when anything
 * fails: its CTEs, its refusal reason, the column naming the new
 * reservation, and the error for a refusal (TierChanged: plan again).
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
