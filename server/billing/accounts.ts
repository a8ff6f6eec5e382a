import "server-only";
import { and, eq, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type BillingAccount, billingAccounts, projects, users } from "@/db/schema";
import { AppError } from "@/server/errors";
import { periodStartFor } from "./cost";

/**
 * The billing account of a person, created on first need (tier free, the
 * column default allowance of $1.00). `on conflict do nothing` makes the
 * lazy creation safe when two requests race to create it.
 */
export async function ensureBillingAccount(db: Db, userId: string): Promise<BillingAccount> {
  await db
    .insert(billingAccounts)
    .values({ userId, periodStart: periodStartFor(new Date()) })
    .onConflictDoNothing({ target: billingAccounts.userId });
  await rollPeriod(db, userId);
  const [account] = await db.select().from(billingAccounts).where(eq(billingAccounts.userId, userId)).limit(1);
  if (!account) throw new AppError("not_found:billing_account", "This person has no billing account.");
  return account;
}

/**
 * Starts a new monthly period when the calendar month changed: the allowance
 * is fresh and the ceiling counts from zero again. Conditional, so racing
 * callers roll it once. Open holds (reserved) carry over.
 */
export async function rollPeriod(db: Db, userId: string, now = new Date()): Promise<void> {
  const start = periodStartFor(now);
  await db
    .update(billingAccounts)
    .set({ periodStart: start, periodSpentMicros: 0n, updatedAt: sql`now()` })
    .where(and(eq(billingAccounts.userId, userId), lt(billingAccounts.periodStart, start)));
}

export type Payer = { payerId: string; ownerEmail: string; ownerName: string | null };

/** A project's cloud spend is charged to its owner (docs/collaboration.md#roles), whoever presses Escalate. */
export async function payerOfProject(db: Db, projectId: string): Promise<Payer> {
  const [row] = await db
    .select({ payerId: projects.ownerId, ownerEmail: users.email, ownerName: users.name })
    .from(projects)
    .innerJoin(users, eq(users.id, projects.ownerId))
    .where(eq(projects.id, projectId))
    .limit(1);
  if (!row) throw new AppError("not_found:project", "This project does not exist.");
  return row;
}

/** What is left to spend this period before the allowance/credits or the ceiling stop new calls; null = no limit. */
export function remainingBudget(account: BillingAccount): bigint | null {
  const limits: bigint[] = [];
  if (account.tier === "free") {
    const allowanceLeft = account.freeAllowanceMicros - account.periodSpentMicros;
    limits.push((allowanceLeft > 0n ? allowanceLeft : 0n) + account.creditsMicros - account.reservedMicros);
  }
  if (account.ceilingMicros !== null) limits.push(account.ceilingMicros - account.periodSpentMicros - account.reservedMicros);
  if (limits.length === 0) return null;
  const least = limits.reduce((a, b) => (a < b ? a : b));
  return least > 0n ? least : 0n;
}
