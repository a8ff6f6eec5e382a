import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type BillingAccount, billingAccounts, memberSpend, projectMembers } from "@/db/schema";
import { AppError } from "@/server/errors";
import type { Payer } from "./accounts";
import { type CloudHoldPlan, TierChanged } from "./hold-plan";
import { formatUsd } from "@/lib/money";

export type HoldRefusal = "reservation_exists" | "member_quota" | "payer_budget";

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
      .select({ quotaMicros: projectMembers.quotaMicros, spentMicros: memberSpend.spentMicros, reservedMicros: memberSpend.reservedMicros })
      .from(projectMembers)
      .leftJoin(memberSpend, and(eq(memberSpend.projectId, projectMembers.projectId), eq(memberSpend.userId, projectMembers.userId)))
      .where(and(eq(projectMembers.projectId, plan.projectId), eq(projectMembers.userId, plan.actorId)));
    if (!member) throw new AppError("forbidden:project", "You are not a member of this project.");
    const left = (member.quotaMicros ?? 0n) - (member.spentMicros ?? 0n) - (member.reservedMicros ?? 0n);
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
