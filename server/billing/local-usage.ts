import "server-only";
import type { Db } from "@/db/client";
import { usageEvents } from "@/db/schema";
import { payerOfProject } from "./accounts";

/**
 * Local-tier calls are recorded so usage charts show them; Arbor bills none.
 * The project's own provider as the local tier is `metered`: its cost at the
 * owner's prices is recorded (the owner pays that provider). Idempotent by requestId.
 */
export async function recordLocalUsage(
  db: Db,
  args: {
    requestId: string;
    projectId: string;
    actorId: string;
    messageId: string | null;
    model: string;
    tokensIn: number;
    tokensOut: number;
    metered?: { provider: string; costBasisMicros: bigint } | null;
  },
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
      provider: args.metered?.provider ?? "local",
      model: args.model,
      tokensIn: args.tokensIn,
      tokensOut: args.tokensOut,
      costBasisMicros: args.metered?.costBasisMicros ?? 0n,
      netChargeMicros: 0n,
    })
    .onConflictDoNothing({ target: usageEvents.requestId });
}
