import "server-only";
import { eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { refusalOf, refuseWhen } from "@/db/refuse";
import { type BillingTier, type KeySource, reservations } from "@/db/schema";
import { readCloudHoldFacts } from "./hold-facts";
import { type CloudHoldPlan, planCloudHold, type ProviderRoute, TierChanged, type UsageBound } from "./hold-plan";
import { findProviderTarget } from "@/server/providers/models";
import { decryptKey } from "@/server/providers/providers";
import { holdInStatement } from "./hold-statement";
import { loadProviderKey } from "./provider-keys";

/** A placed hold, as the call that runs under it needs it. */
export type CloudReservation = {
  reservationId: string;
  requestId: string;
  payerId: string;
  billingTier: BillingTier;
  keySource: KeySource;
  /** decrypted BYOK key, or null = platform key */
  apiKey: string | null;
  amountMicros: bigint;
  /** a project's own provider answers instead of Claude */
  provider: ProviderRoute | null;
};

export function reservationOf(plan: CloudHoldPlan, reservationId: string): CloudReservation {
  return {
    reservationId,
    requestId: plan.requestId,
    payerId: plan.payer.payerId,
    billingTier: plan.billingTier,
    keySource: plan.keySource,
    apiKey: plan.apiKey,
    amountMicros: plan.amountMicros,
    provider: plan.provider,
  };
}

/**
 * Holds the largest possible cost of a cloud call — `bound` at the model's
 * prices and the payer's tier — against the payer's budget AND the acting
 * member's quota, in one statement of its own that refuses itself (undoing
 * every write) when the quota or the budget does not cover it (see
 * cloudHoldCtes). Idempotent by requestId. A chat turn places its hold inside
 * the turn's own statement instead (server/chat/stream/start.ts).
 */
export async function reserveCloudBudget(
  db: Db,
  args: { projectId: string; actorId: string; requestId: string; streamId?: string | null; model: string; bound: UsageBound },
): Promise<CloudReservation> {
  for (let attempt = 0; ; attempt++) {
    const facts = await readCloudHoldFacts(db, { projectId: args.projectId, model: args.model });
    const plan = await planCloudHold(db, facts, { ...args, streamId: args.streamId ?? null });
    const hold = holdInStatement(db, plan);
    try {
      const [row] = await queryRows<Record<string, unknown>>(db, sql`with ${hold.ctes} select ${hold.columns}, ${refuseWhen(hold.refusal)} as refused`);
      if (!row) throw new Error("the hold statement returned nothing");
      return reservationOf(plan, hold.reservationId(row));
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      if (refusal === "reservation_exists") {
        const again = await findReservation(db, args.requestId);
        if (again) return again;
      }
      try {
        return await hold.explain(refusal);
      } catch (explained) {
        if (explained instanceof TierChanged && attempt < 2) continue;
        throw explained;
      }
    }
  }
}

async function findReservation(db: Db, requestId: string): Promise<CloudReservation | null> {
  const [row] = await db.select().from(reservations).where(eq(reservations.requestId, requestId)).limit(1);
  if (!row) return null;
  return {
    reservationId: row.id,
    requestId,
    payerId: row.payerId,
    billingTier: row.billingTier,
    keySource: row.keySource,
    apiKey: row.keySource === "byok" ? await loadProviderKey(db, row.payerId) : null,
    amountMicros: row.amountMicros,
    provider: row.keySource === "provider" ? await providerRouteOf(db, row) : null,
  };
}

async function providerRouteOf(db: Db, row: typeof reservations.$inferSelect): Promise<ProviderRoute | null> {
  const target = await findProviderTarget(db, { projectId: row.projectId, key: row.model });
  if (!target) return null;
  const bound = { tokensIn: row.boundTokensIn, tokensOut: row.boundTokensOut };
  return { baseUrl: target.baseUrl, providerName: target.providerName, model: target.model, apiKey: target.keyCiphertext ? decryptKey(target.keyCiphertext) : null, bound };
}
