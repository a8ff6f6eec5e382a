import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { billingAccounts, budgetAlerts, emailOutbox, memberSpend, notifications, projectMembers, providerKeys, reservations, usageEvents } from "@/db/schema";
import { sendDigests } from "@/server/notify/digest";
import { createTestDatabase } from "@/testing/database";
import { ensureModelPrices, getModelPrice } from "@/server/ai/model-prices";
import { makeProject } from "@/testing/fixtures";
import { ensureBillingAccount } from "./accounts";
import { chargeFor, costBasisMicros } from "./cost";
import { expireReservations } from "./expiry";
import { releaseReservation } from "./release";
import { reserveCloudBudget } from "./reserve";
import { settleReservation } from "./settle";
import { encryptSecret } from "./provider-keys";

process.env.ENCRYPTION_KEY ??= "a".repeat(64);
process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
const MODEL = "claude-sonnet-5-5"; // $2 / $10 per MTok in the seed
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await ensureModelPrices(database.db);
});
afterAll(() => database.close());

let seq = 0;
const rid = () => `req-${Date.now()}-${++seq}`;

async function holdFor(tier: "free" | "managed" | "byok", promptTokens: number, maxTokens: number) {
  const price = await getModelPrice(database.db, MODEL);
  return chargeFor(tier, costBasisMicros(price, promptTokens, maxTokens)).chargedMicros;
}

async function account(userId: string) {
  const [row] = await database.db.select().from(billingAccounts).where(eq(billingAccounts.userId, userId));
  if (!row) throw new Error("no account");
  return row;
}

describe("cost math", () => {
  const price = { inputMicrosPerMTok: 2_000_000n, outputMicrosPerMTok: 10_000_000n };
  it("rounds the cost basis up, in integers", () => {
    expect(costBasisMicros(price, 1000, 500)).toBe(7_000n); // 2000 + 5000
    expect(costBasisMicros(price, 1, 0)).toBe(2n);
    expect(costBasisMicros({ inputMicrosPerMTok: 100_000n, outputMicrosPerMTok: 500_000n }, 3, 1)).toBe(1n); // 0.8 → 1
    expect(costBasisMicros(price, 0, 0)).toBe(0n);
  });
  it("applies each tier's markup or fee", () => {
    expect(chargeFor("free", 7_000n)).toMatchObject({ chargedMicros: 7_000n, billableMicros: 7_000n, markupMicros: 0n, feeMicros: 0n });
    expect(chargeFor("managed", 7_000n)).toMatchObject({ markupMicros: 210n, chargedMicros: 7_210n, billableMicros: 7_210n });
    expect(chargeFor("managed", 7_001n).markupMicros).toBe(211n); // ceil(210.03)
    expect(chargeFor("byok", 7_000n)).toMatchObject({ feeMicros: 2_100n, chargedMicros: 9_100n, billableMicros: 2_100n });
    expect(chargeFor("byok", 1n).feeMicros).toBe(1n);
  });
});

describe("reserve and settle", () => {
  it("free tier: holds the bound, settles the real cost from the allowance, releases the rest", async () => {
    const { owner, project } = await makeProject(database.db);
    const r = await reserveCloudBudget(database.db, { projectId: project.id, actorId: owner.id, requestId: rid(), model: MODEL, bound: { tokensIn: 500, tokensOut: 1000 } });
    expect(r).toMatchObject({ billingTier: "free", apiKey: null, payerId: owner.id, amountMicros: await holdFor("free", 500, 1000) });
    expect((await account(owner.id)).reservedMicros).toBe(r.amountMicros);
    const settled = await settleReservation(database.db, { reservationId: r.reservationId, messageId: null, usage: { tokensIn: 480, tokensOut: 200 } });
    expect(settled.chargedMicros).toBe(2_960n); // 480×2 + 200×10
    const a = await account(owner.id);
    expect(a).toMatchObject({ reservedMicros: 0n, periodSpentMicros: 2_960n, unbilledMicros: 0n, creditsMicros: 0n });
    const [event] = await database.db.select().from(usageEvents).where(eq(usageEvents.id, settled.usageEventId));
    expect(event).toMatchObject({ costBasisMicros: 2_960n, netChargeMicros: 2_960n, creditsAppliedMicros: 0n, billingTier: "free", tier: "cloud" });
    // settling again is a no-op that returns the same event
    expect(await settleReservation(database.db, { reservationId: r.reservationId, messageId: null, usage: { tokensIn: 999, tokensOut: 999 } })).toEqual(settled);
    expect((await account(owner.id)).periodSpentMicros).toBe(2_960n);
  });

  it("is idempotent by requestId", async () => {
    const { owner, project } = await makeProject(database.db);
    const requestId = rid();
    const args = { projectId: project.id, actorId: owner.id, requestId, model: MODEL, bound: { tokensIn: 10, tokensOut: 100 } };
    const [a, b] = await Promise.all([reserveCloudBudget(database.db, args), reserveCloudBudget(database.db, args)]);
    expect(a.reservationId).toBe(b.reservationId);
    expect((await account(owner.id)).reservedMicros).toBe(a.amountMicros);
  });

  it("managed tier: credits first, markup 3 %, the rest unbilled", async () => {
    const { owner, project } = await makeProject(database.db);
    await ensureBillingAccount(database.db, owner.id);
    await database.db.update(billingAccounts).set({ tier: "managed", creditsMicros: 5_000n }).where(eq(billingAccounts.userId, owner.id));
    const r = await reserveCloudBudget(database.db, { projectId: project.id, actorId: owner.id, requestId: rid(), model: MODEL, bound: { tokensIn: 10, tokensOut: 1000 } });
    const s = await settleReservation(database.db, { reservationId: r.reservationId, messageId: null, usage: { tokensIn: 1000, tokensOut: 500 } });
    expect(s.chargedMicros).toBe(7_210n);
    expect(await account(owner.id)).toMatchObject({ creditsMicros: 0n, unbilledMicros: 2_210n, periodSpentMicros: 7_210n, reservedMicros: 0n });
    const [event] = await database.db.select().from(usageEvents).where(eq(usageEvents.id, s.usageEventId));
    expect(event).toMatchObject({ costBasisMicros: 7_000n, markupMicros: 210n, feeMicros: 0n, creditsAppliedMicros: 5_000n, netChargeMicros: 2_210n });
  });

  it("byok tier: the payer's key, a 30 % fee billed, the cost paid to the provider", async () => {
    const { owner, project } = await makeProject(database.db);
    await ensureBillingAccount(database.db, owner.id);
    await database.db.update(billingAccounts).set({ tier: "byok" }).where(eq(billingAccounts.userId, owner.id));
    const args = { projectId: project.id, actorId: owner.id, model: MODEL, bound: { tokensIn: 1000, tokensOut: 500 } };
    await expect(reserveCloudBudget(database.db, { ...args, requestId: rid() })).rejects.toMatchObject({ code: "payment_required:byok_key" });
    await database.db.insert(providerKeys).values({ userId: owner.id, ciphertext: encryptSecret("sk-ant-test-key-1234567890"), hint: "sk-ant-…7890" });
    const r = await reserveCloudBudget(database.db, { ...args, requestId: rid() });
    expect(r.apiKey).toBe("sk-ant-test-key-1234567890");
    const s = await settleReservation(database.db, { reservationId: r.reservationId, messageId: null, usage: { tokensIn: 1000, tokensOut: 500 } });
    expect(s.chargedMicros).toBe(9_100n);
    expect(await account(owner.id)).toMatchObject({ unbilledMicros: 2_100n, periodSpentMicros: 9_100n });
  });

  it("refuses past the free allowance with what to do, naming the owner to a member", async () => {
    const { owner, project, members } = await makeProject(database.db, ["editor"]);
    const editor = members.editor;
    if (!editor) throw new Error("fixture");
    await ensureBillingAccount(database.db, owner.id);
    await database.db.update(billingAccounts).set({ freeAllowanceMicros: 100n }).where(eq(billingAccounts.userId, owner.id));
    const base = { projectId: project.id, model: MODEL, bound: { tokensIn: 10, tokensOut: 1000 } };
    await expect(reserveCloudBudget(database.db, { ...base, actorId: owner.id, requestId: rid() })).rejects.toMatchObject({
      code: "payment_required:budget",
      message: expect.stringMatching(/Upgrade to Managed or buy credits/),
    });
    await expect(reserveCloudBudget(database.db, { ...base, actorId: editor.id, requestId: rid() })).rejects.toMatchObject({
      code: "payment_required:budget",
      message: expect.stringContaining(owner.email),
    });
    expect(await database.db.select().from(reservations).where(eq(reservations.projectId, project.id))).toEqual([]);
    expect((await account(owner.id)).reservedMicros).toBe(0n);
  });

  it("a ceiling limits paid tiers and says to raise it", async () => {
    const { owner, project } = await makeProject(database.db);
    await ensureBillingAccount(database.db, owner.id);
    await database.db.update(billingAccounts).set({ tier: "managed", ceilingMicros: 1_000n }).where(eq(billingAccounts.userId, owner.id));
    await expect(
      reserveCloudBudget(database.db, { projectId: project.id, actorId: owner.id, requestId: rid(), model: MODEL, bound: { tokensIn: 10, tokensOut: 1000 } }),
    ).rejects.toMatchObject({ code: "payment_required:budget", message: expect.stringMatching(/Raise the ceiling/) });
  });

  it("release and expiry give the hold back exactly once", async () => {
    const { owner, project } = await makeProject(database.db);
    const base = { projectId: project.id, actorId: owner.id, model: MODEL, bound: { tokensIn: 10, tokensOut: 100 } };
    const r1 = await reserveCloudBudget(database.db, { ...base, requestId: rid() });
    await releaseReservation(database.db, { reservationId: r1.reservationId });
    await releaseReservation(database.db, { reservationId: r1.reservationId });
    expect((await account(owner.id)).reservedMicros).toBe(0n);
    const r2 = await reserveCloudBudget(database.db, { ...base, requestId: rid() });
    expect(await expireReservations(database.db, { now: new Date(Date.now() + 60 * 60 * 1000) })).toBeGreaterThanOrEqual(1);
    expect((await account(owner.id)).reservedMicros).toBe(0n);
    // a late settle after expiry still charges the real usage, without releasing twice
    const s = await settleReservation(database.db, { reservationId: r2.reservationId, messageId: null, usage: { tokensIn: 10, tokensOut: 10 } });
    expect(s.chargedMicros).toBe(120n);
    expect(await account(owner.id)).toMatchObject({ reservedMicros: 0n, periodSpentMicros: 120n });
  });
});

describe("concurrency", () => {
  it("50 concurrent reservations against a budget covering 10: exactly 10 admitted, never over", async () => {
    const { owner, project } = await makeProject(database.db);
    const hold = await holdFor("free", 100, 500);
    await ensureBillingAccount(database.db, owner.id);
    await database.db.update(billingAccounts).set({ freeAllowanceMicros: hold * 10n + hold / 2n }).where(eq(billingAccounts.userId, owner.id));
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        reserveCloudBudget(database.db, { projectId: project.id, actorId: owner.id, requestId: rid(), model: MODEL, bound: { tokensIn: 100, tokensOut: 500 } }),
      ),
    );
    const admitted = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(admitted).toHaveLength(10);
    for (const r of refused) expect(r.reason).toMatchObject({ code: "payment_required:budget" });
    const a = await account(owner.id);
    expect(a.reservedMicros).toBe(hold * 10n);
    expect(a.reservedMicros <= a.freeAllowanceMicros).toBe(true);
    const open = await database.db.select().from(reservations).where(eq(reservations.payerId, owner.id));
    expect(open).toHaveLength(10);
  });

  it("a member's quota is never exceeded under concurrency, settles included", async () => {
    const { owner, project, members } = await makeProject(database.db, ["editor"]);
    const editor = members.editor;
    if (!editor) throw new Error("fixture");
    await ensureBillingAccount(database.db, owner.id);
    await database.db.update(billingAccounts).set({ tier: "managed" }).where(eq(billingAccounts.userId, owner.id));
    const hold = await holdFor("managed", 100, 500);
    const quota = hold * 7n;
    await database.db.update(projectMembers).set({ quotaMicros: quota }).where(eq(projectMembers.userId, editor.id));
    const run = async () => {
      const r = await reserveCloudBudget(database.db, { projectId: project.id, actorId: editor.id, requestId: rid(), model: MODEL, bound: { tokensIn: 100, tokensOut: 500 } });
      await settleReservation(database.db, { reservationId: r.reservationId, messageId: null, usage: { tokensIn: 90, tokensOut: 500 } });
    };
    const results = await Promise.allSettled(Array.from({ length: 30 }, run));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    for (const r of refused) expect(r.reason).toMatchObject({ code: "quota_exceeded:member", message: expect.stringContaining(owner.email) });
    const [m] = await database.db.select().from(memberSpend).where(eq(memberSpend.userId, editor.id));
    expect(m?.reservedMicros).toBe(0n);
    expect((m?.spentMicros ?? 0n) <= quota).toBe(true);
    expect(results.length - refused.length).toBeGreaterThanOrEqual(7);
  });
});

describe("budget alerts", () => {
  it("fires each threshold once per period, with a notification and a mail", async () => {
    const { owner, project } = await makeProject(database.db);
    await ensureBillingAccount(database.db, owner.id);
    await database.db.update(billingAccounts).set({ freeAllowanceMicros: 100_000n }).where(eq(billingAccounts.userId, owner.id));
    const call = async (tokensOut: number) => {
      const r = await reserveCloudBudget(database.db, { projectId: project.id, actorId: owner.id, requestId: rid(), model: MODEL, bound: { tokensIn: 0, tokensOut: tokensOut } });
      await settleReservation(database.db, { reservationId: r.reservationId, messageId: null, usage: { tokensIn: 0, tokensOut } });
    };
    await call(3000); // 30,000 = 30 %
    expect(await database.db.select().from(notifications).where(eq(notifications.userId, owner.id))).toHaveLength(0);
    await call(3000); // 60 %
    await call(1000); // 70 %: no second 50 % alert
    await call(2000); // 90 %
    const alerts = await database.db.select().from(budgetAlerts).where(eq(budgetAlerts.userId, owner.id));
    expect(alerts.map((a) => a.thresholdPercent).sort()).toEqual([50, 80]);
    const notes = await database.db.select().from(notifications).where(eq(notifications.userId, owner.id));
    expect(notes.map((n) => n.kind).sort()).toEqual(["budget_50", "budget_80"]);
    expect(notes.every((n) => n.category === "billing" && n.mailPending)).toBe(true);
    // mailed as one digest through the outbox, with the budget-alert unsubscribe link
    await sendDigests(database.db, { quietMs: 0 });
    const mails = await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, owner.email));
    expect(mails.map((m) => m.subject)).toEqual(["Arbor: 2 budget alerts"]);
    expect(mails[0]?.text).toMatch(/budget alerts mails are on/);
  });
});
