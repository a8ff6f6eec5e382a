import "server-only";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { billingAccounts } from "@/db/schema";
import { ensureBillingAccount } from "@/server/billing/accounts";
import { removeProviderKey, saveProviderKey } from "@/server/billing/provider-keys";
import { accountSummary, listInvoices, listNotifications, markNotificationsRead, memberSpendOfProject } from "@/server/billing/summary";
import { dailyUsage, dayRange, usageByMember, usageByModel, usageByProject, usageCsv } from "@/server/billing/usage";
import { zoneOfUser } from "@/server/account/zone";
import { AppError } from "@/server/errors";
import { projectProcedure, protectedProcedure, router } from "@/server/trpc/init";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-11-23");
const rangeInput = z
  .object({ from: day, to: day })
  .refine((r) => r.from <= r.to, { message: "the start must not be after the end", path: ["from"] })
  .refine((r) => dayRange(r.from, r.to).to.getTime() - dayRange(r.from, r.to).from.getTime() <= 366 * 86_400_000, {
    message: "pick at most a year",
    path: ["to"],
  });

const MAX_CEILING = 100_000_000_000n; // $100,000 a month

/** The chart's days are the caller's own calendar days (their time zone preference). */
async function report(db: Parameters<typeof dailyUsage>[0], payerId: string, range: { from: string; to: string }, projectId?: string, viewerId = payerId) {
  const scope = { payerId, projectId, ...dayRange(range.from, range.to, await zoneOfUser(db, viewerId)) };
  const [daily, byModel, byProject, byMember] = await Promise.all([
    dailyUsage(db, scope),
    usageByModel(db, scope),
    projectId ? Promise.resolve([]) : usageByProject(db, scope),
    usageByMember(db, scope),
  ]);
  return { daily, byModel, byProject, byMember };
}

/** Billing is per person (the payer); a project's tab shows the owner's spend on that project. */
export const billingRouter = router({
  summary: protectedProcedure.query(({ ctx }) => accountSummary(ctx.db, ctx.user.id)),

  setCeiling: protectedProcedure
    .input(
      z.object({
        ceilingMicros: z
          .bigint()
          .min(10_000n, { message: "must be at least $0.01 (or remove the ceiling)" })
          .max(MAX_CEILING, { message: "must be at most $100,000 a month" })
          .nullable(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await ensureBillingAccount(ctx.db, ctx.user.id);
      await ctx.db
        .update(billingAccounts)
        .set({ ceilingMicros: input.ceilingMicros, updatedAt: sql`now()` })
        .where(eq(billingAccounts.userId, ctx.user.id));
      return { ceilingMicros: input.ceilingMicros };
    }),

  addKey: protectedProcedure
    .input(z.object({ apiKey: z.string().trim().min(1, { message: "paste your Anthropic API key" }).max(300) }))
    .mutation(({ ctx, input }) => saveProviderKey(ctx.db, ctx.user.id, input.apiKey)),

  removeKey: protectedProcedure.mutation(async ({ ctx }) => {
    await removeProviderKey(ctx.db, ctx.user.id);
    return { removed: true };
  }),

  usage: protectedProcedure.input(rangeInput).query(({ ctx, input }) => report(ctx.db, ctx.user.id, input)),

  exportCsv: protectedProcedure.input(rangeInput).mutation(async ({ ctx, input }) => usageCsv(ctx.db, { payerId: ctx.user.id, ...dayRange(input.from, input.to, await zoneOfUser(ctx.db, ctx.user.id)) })),

  invoices: protectedProcedure.query(({ ctx }) => listInvoices(ctx.db, ctx.user.id)),

  notifications: protectedProcedure.query(({ ctx }) => listNotifications(ctx.db, ctx.user.id)),
  markNotificationsRead: protectedProcedure.mutation(async ({ ctx }) => {
    await markNotificationsRead(ctx.db, ctx.user.id);
    return { ok: true };
  }),

  /** The project Billing tab: the owner only (they are the payer). */
  project: projectProcedure("owner")
    .input(rangeInput)
    .query(async ({ ctx, input }) => {
      if (ctx.project.ownerId !== ctx.user.id) throw new AppError("forbidden:billing", "Only the project's owner sees its billing.");
      const [usage, members] = await Promise.all([report(ctx.db, ctx.user.id, input, ctx.project.id), memberSpendOfProject(ctx.db, ctx.project.id)]);
      return { ...usage, members };
    }),
  projectCsv: projectProcedure("owner")
    .input(rangeInput)
    .mutation(async ({ ctx, input }) => usageCsv(ctx.db, { payerId: ctx.user.id, projectId: ctx.project.id, ...dayRange(input.from, input.to, await zoneOfUser(ctx.db, ctx.user.id)) })),
});
