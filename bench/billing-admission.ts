/**
 * 200 concurrent cloud requests against a budget that covers 50: how many are
 * admitted, how many micro-USD end up held past the budget (must be 0), and
 * the p50/p95 time to an admission decision next to one-at-a-time — on PGlite and, when
 * TEST_DATABASE_URL is set, on Postgres.
 *
 * Run alone: npx tsx --conditions=react-server bench/billing-admission.ts
 */
import { eq } from "drizzle-orm";
import { billingAccounts, modelPrices } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { ensureBillingAccount } from "@/server/billing/accounts";
import { chargeFor, costBasisMicros } from "@/server/billing/cost";
import { reserveCloudBudget } from "@/server/billing/reserve";
import { makeProject } from "@/testing/fixtures";

const REQUESTS = 200;
const COVERED = 50;
const MODEL = "claude-sonnet-5-5";
const PROMPT_TOKENS = 800;
const MAX_TOKENS = 1024;

export type AdmissionResult = {
  driver: string;
  requests: number;
  admitted: number;
  overBudgetMicros: bigint;
  p50Ms: number;
  p95Ms: number;
  totalMs: number;
  /** baseline measured in the same run: one reservation at a time (no contention) */
  sequentialP50Ms: number;
  sequentialP95Ms: number;
};

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * p) - 1] ?? 0;
const p95 = (values: number[]) => percentile(values, 0.95);
const p50 = (values: number[]) => percentile(values, 0.5);

async function runOn(driver: "pglite" | "postgres"): Promise<AdmissionResult> {
  process.env.TEST_DB = driver;
  const database = await createTestDatabase();
  try {
    const { db } = database;
    await ensureModelPrices(db);
    const { owner, project } = await makeProject(db);
    const [price] = await db.select().from(modelPrices).where(eq(modelPrices.model, MODEL));
    if (!price) throw new Error(`no price for ${MODEL}`);
    const hold = chargeFor("free", costBasisMicros(price, PROMPT_TOKENS, MAX_TOKENS)).chargedMicros;
    const budget = hold * BigInt(COVERED);
    await ensureBillingAccount(db, owner.id);
    await db.update(billingAccounts).set({ freeAllowanceMicros: budget }).where(eq(billingAccounts.userId, owner.id));

    // Baseline: the same admission with nobody else waiting, on a separate project with no budget limit issue.
    const baseline = await makeProject(db);
    const sequential: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await reserveCloudBudget(db, { projectId: baseline.project.id, actorId: baseline.owner.id, requestId: `bench-seq-${driver}-${i}`, model: MODEL, bound: { tokensIn: 16, tokensOut: 16 } });
      sequential.push(performance.now() - t0);
    }

    const latencies: number[] = [];
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const t0 = performance.now();
        try {
          return await reserveCloudBudget(db, { projectId: project.id, actorId: owner.id, requestId: `bench-${driver}-${i}`, model: MODEL, bound: { tokensIn: PROMPT_TOKENS, tokensOut: MAX_TOKENS } });
        } finally {
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const totalMs = performance.now() - started;
    const [account] = await db.select().from(billingAccounts).where(eq(billingAccounts.userId, owner.id));
    const held = (account?.reservedMicros ?? 0n) + (account?.periodSpentMicros ?? 0n);
    return {
      driver,
      requests: REQUESTS,
      admitted: outcomes.filter((o) => o.status === "fulfilled").length,
      overBudgetMicros: held > budget ? held - budget : 0n,
      p50Ms: p50(latencies),
      p95Ms: p95(latencies),
      totalMs,
      sequentialP50Ms: p50(sequential),
      sequentialP95Ms: p95(sequential),
    };
  } finally {
    await database.close();
  }
}

export async function run(): Promise<AdmissionResult[]> {
  const drivers: Array<"pglite" | "postgres"> = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
  const results: AdmissionResult[] = [];
  for (const driver of drivers) {
    const r = await runOn(driver);
    results.push(r);
    console.log(
      `billing admission [${r.driver}]: ${r.requests} concurrent requests, budget covers ${COVERED} → admitted ${r.admitted}, ` +
        `over budget ${r.overBudgetMicros} micro-USD; admission p50 ${r.p50Ms.toFixed(1)} ms / p95 ${r.p95Ms.toFixed(1)} ms (all done in ${r.totalMs.toFixed(0)} ms); ` +
        `baseline one at a time p50 ${r.sequentialP50Ms.toFixed(1)} ms / p95 ${r.sequentialP95Ms.toFixed(1)} ms → p95 ×${(r.p95Ms / Math.max(r.sequentialP95Ms, 0.001)).toFixed(1)} under a ${r.requests}-request burst` +
        (r.driver === "postgres" ? `; target p95 ≤ 250 ms: ${r.p95Ms <= 250 ? "met" : "missed"}` : ""),
    );
    if (r.overBudgetMicros !== 0n || r.admitted > COVERED) throw new Error(`[${r.driver}] the guard let requests past the budget`);
  }
  if (!process.env.TEST_DATABASE_URL) console.log("billing admission [postgres]: skipped (set TEST_DATABASE_URL to run it)");
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
