import "server-only";
import type { Db } from "@/db/client";
import { type BillingAccount, budgetAlerts } from "@/db/schema";
import { formatUsd } from "@/lib/money";
import { notify } from "@/server/notify/notify";

export const ALERT_THRESHOLDS = [50, 80, 100] as const;

/** What the alerts read of an account: its limits and its spend this period, as the settling transaction left them. */
export type AlertAccount = Pick<BillingAccount, "userId" | "tier" | "ceilingMicros" | "freeAllowanceMicros" | "periodSpentMicros" | "periodStart">;

/** The limit alerts measure against: the person's own ceiling when set, else the free allowance; paid tiers without a ceiling have none. */
export function alertLimit(account: Pick<BillingAccount, "tier" | "ceilingMicros" | "freeAllowanceMicros">): bigint | null {
  if (account.ceilingMicros !== null) return account.ceilingMicros;
  return account.tier === "free" ? account.freeAllowanceMicros : null;
}

/**
 * Call inside the transaction that moved the spend. The budget_alerts primary
 * key (user, period, threshold) is the rate limit: a threshold fires once per
 * period however many requests cross it. When one request jumps several
 * thresholds only the highest is announced — the others are recorded as sent.
 */
export async function sendBudgetAlerts(db: Db, account: AlertAccount): Promise<void> {
  const limit = alertLimit(account);
  if (limit === null || limit <= 0n) return;
  const crossed = ALERT_THRESHOLDS.filter((percent) => account.periodSpentMicros * 100n >= limit * BigInt(percent));
  if (crossed.length === 0) return;
  // One statement for every threshold crossed (each answer past 50 % asks again; the key answers "already sent").
  const inserted = await db
    .insert(budgetAlerts)
    .values(crossed.map((percent) => ({ userId: account.userId, periodStart: account.periodStart, thresholdPercent: percent })))
    .onConflictDoNothing()
    .returning({ percent: budgetAlerts.thresholdPercent });
  const highest = inserted.reduce<number | null>((top, row) => (top === null || row.percent > top ? row.percent : top), null);
  if (highest === null) return;

  const what = account.ceilingMicros !== null ? "spending ceiling" : "free monthly allowance";
  const title = highest >= 100 ? `You have reached your ${what}` : `You have used ${highest}% of your ${what}`;
  const body =
    `${formatUsd(account.periodSpentMicros)} of ${formatUsd(limit)} spent this month.` +
    (highest >= 100
      ? account.ceilingMicros !== null
        ? " New cloud answers are paused until you raise the ceiling or the month ends."
        : " New cloud answers are paused until you upgrade, buy credits or the month ends."
      : "");
  // As the person chose for budget alerts: the bell, the bell and a digest mail, or nothing.
  await notify(db, { userIds: [account.userId], category: "billing", kind: `budget_${highest}`, title, body, href: "/billing" });
}
