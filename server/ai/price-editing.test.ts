import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelPrices, reservations, usageEvents } from "@/db/schema";
import { createCaller } from "@/server/routers/_app";
import { reserveCloudBudget } from "@/server/billing/reserve";
import { settleReservation } from "@/server/billing/settle";
import { resetEnvForTests } from "@/server/env";
import { isOperator } from "@/server/ops/operators";
import { chatEnvironment } from "@/testing/chat-environment";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";

const env = chatEnvironment();
const OPERATOR = "Ops.Person@Example.com";

beforeAll(() => {
  process.env.ARBOR_OPERATOR_EMAILS = `someone@else.test, ${OPERATOR}`;
  resetEnvForTests();
});
afterAll(() => {
  delete process.env.ARBOR_OPERATOR_EMAILS;
  resetEnvForTests();
});

describe("operators edit model_prices", () => {
  it("only the people ARBOR_OPERATOR_EMAILS names (any case); everyone else, owners included, gets NOT_FOUND", async () => {
    const db = env.database.db;
    expect(isOperator("ops.person@example.com")).toBe(true);
    expect(isOperator("ops.person@example.co")).toBe(false);
    expect(isOperator(null)).toBe(false);
    const { owner } = await makeProject(db);
    const asOwner = createCaller(contextFor(db, owner));
    await expect(asOwner.admin.modelPrices()).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asOwner.admin.updateModelPrice({ model: "claude-haiku-5-5", inputMicrosPerMTok: 1, outputMicrosPerMTok: 1, deprecated: false })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(createCaller(contextFor(db, null)).admin.modelPrices()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const operator = await makeUser(db, { email: `ops.person@example.com` });
    const rows = await createCaller(contextFor(db, operator)).admin.modelPrices();
    expect(rows.map((r) => r.model)).toContain("claude-haiku-5-5");
  });

  it("refuses negative or absurd prices with words and changes nothing", async () => {
    const db = env.database.db;
    const operator = (await db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, "ops.person@example.com") })) ?? (await makeUser(db, { email: "ops.person@example.com" }));
    const api = createCaller(contextFor(db, operator));
    const [before] = await db.select().from(modelPrices).where(eq(modelPrices.model, "claude-opus-5-5"));
    await expect(api.admin.updateModelPrice({ model: "claude-opus-5-5", inputMicrosPerMTok: -1, outputMicrosPerMTok: 20_000_000, deprecated: false })).rejects.toMatchObject({
      message: "The input price cannot be negative.",
    });
    await expect(api.admin.updateModelPrice({ model: "claude-opus-5-5", inputMicrosPerMTok: 4_000_000, outputMicrosPerMTok: 20_000_000_000, deprecated: false })).rejects.toMatchObject({
      message: expect.stringMatching(/more than the \$1,000\.00 Arbor accepts/),
    });
    await expect(api.admin.updateModelPrice({ model: "claude-nope", inputMicrosPerMTok: 1, outputMicrosPerMTok: 1, deprecated: false })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const [after] = await db.select().from(modelPrices).where(eq(modelPrices.model, "claude-opus-5-5"));
    expect(after?.inputMicrosPerMTok).toBe(before?.inputMicrosPerMTok);
    expect(after?.outputMicrosPerMTok).toBe(before?.outputMicrosPerMTok);
  });

  it("a change applies to new turns only: a hold already open is settled at the prices it recorded", async () => {
    const db = env.database.db;
    const operator = (await db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, "ops.person@example.com") })) ?? (await makeUser(db, { email: "ops.person@example.com" }));
    const api = createCaller(contextFor(db, operator));
    const { owner, project } = await makeProject(db);
    const bound = { tokensIn: 1_000, tokensOut: 1_000 };
    const open = await reserveCloudBudget(db, { projectId: project.id, actorId: owner.id, requestId: `old-${project.id}`, model: "claude-haiku-5-5", bound });
    // Haiku: $0.10 / $0.50 → ten times dearer
    await api.admin.updateModelPrice({ model: "claude-haiku-5-5", inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 5_000_000, deprecated: false });
    const oldTerms = await settleReservation(db, { reservationId: open.reservationId, messageId: null, usage: { tokensIn: 1_000, tokensOut: 1_000 } });
    const [oldEvent] = await db.select().from(usageEvents).where(eq(usageEvents.requestId, `old-${project.id}`));
    expect(oldEvent?.costBasisMicros).toBe(600n); // (1000 × 100,000 + 1000 × 500,000) / 1e6
    expect(oldTerms.chargedMicros).toBe(600n);
    const next = await reserveCloudBudget(db, { projectId: project.id, actorId: owner.id, requestId: `new-${project.id}`, model: "claude-haiku-5-5", bound });
    const [hold] = await db.select().from(reservations).where(eq(reservations.id, next.reservationId));
    expect(hold).toMatchObject({ inputMicrosPerMTok: 1_000_000n, outputMicrosPerMTok: 5_000_000n });
    await settleReservation(db, { reservationId: next.reservationId, messageId: null, usage: { tokensIn: 1_000, tokensOut: 1_000 } });
    const [newEvent] = await db.select().from(usageEvents).where(eq(usageEvents.requestId, `new-${project.id}`));
    expect(newEvent?.costBasisMicros).toBe(6_000n);
    // retiring: the picker stops offering it and a new turn is refused
    await api.admin.updateModelPrice({ model: "claude-haiku-5-5", inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 5_000_000, deprecated: true });
    await expect(reserveCloudBudget(db, { projectId: project.id, actorId: owner.id, requestId: `retired-${project.id}`, model: "claude-haiku-5-5", bound })).rejects.toMatchObject({
      message: expect.stringMatching(/retired by the operator/),
    });
  });
});
