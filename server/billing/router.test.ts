import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { providerKeys } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { resetEnvForTests } from "@/server/env";
import { createCaller } from "@/server/routers/_app";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { reserveCloudBudget } from "./reserve";
import { settleReservation } from "./settle";

let database: Database;
let anthropic: ReturnType<typeof createServer>;
const GOOD_KEY = "sk-ant-api03-good-key-0000000000000000WXYZ";
beforeAll(async () => {
  database = await createTestDatabase();
  await ensureModelPrices(database.db);
  // Anthropic's models endpoint, at the protocol level: 200 for the good key, 401 otherwise
  anthropic = createServer((req, res) => {
    const key = req.headers["x-api-key"] ?? req.headers.authorization?.replace(/^Bearer /, "");
    const ok = key === GOOD_KEY && req.url?.startsWith("/v1/models");
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        ok
          ? { data: [{ type: "model", id: "claude-haiku-5-5", display_name: "Haiku", created_at: "2026-01-01T00:00:00Z" }], has_more: false, first_id: null, last_id: null }
          : { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } },
      ),
    );
  });
  await new Promise<void>((r) => anthropic.listen(0, "127.0.0.1", r));
  process.env.ANTHROPIC_BASE_URL = `http://127.0.0.1:${(anthropic.address() as AddressInfo).port}`;
  process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
  process.env.ENCRYPTION_KEY ??= "e".repeat(64);
  delete process.env.STRIPE_SECRET_KEY;
  resetEnvForTests();
});
afterAll(async () => {
  anthropic.close();
  await database.close();
});

const today = new Date().toISOString().slice(0, 10);

describe("billing router", () => {
  it("summarises a new account as free with the $1.00 allowance", async () => {
    const me = await makeUser(database.db);
    const api = createCaller(contextFor(database.db, me));
    expect(await api.billing.summary()).toMatchObject({
      tier: "free",
      allowanceMicros: 1_000_000n,
      allowanceLeftMicros: 1_000_000n,
      creditsMicros: 0n,
      ceilingMicros: null,
      keyHint: null,
      stripeConfigured: false,
    });
  });

  it("sets and removes a ceiling, refusing absurd values", async () => {
    const me = await makeUser(database.db);
    const api = createCaller(contextFor(database.db, me));
    await api.billing.setCeiling({ ceilingMicros: 20_000_000n });
    expect((await api.billing.summary()).ceilingMicros).toBe(20_000_000n);
    await expect(api.billing.setCeiling({ ceilingMicros: -1n })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api.billing.setCeiling({ ceilingMicros: 10n ** 15n })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await api.billing.setCeiling({ ceilingMicros: null });
    expect((await api.billing.summary()).ceilingMicros).toBeNull();
  });

  it("stores a validated BYOK key encrypted and only ever returns its hint", async () => {
    const me = await makeUser(database.db);
    const api = createCaller(contextFor(database.db, me));
    await expect(api.billing.addKey({ apiKey: "sk-ant-api03-bad-key-000000000000000000" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/did not accept this key/),
    });
    expect(await api.billing.addKey({ apiKey: GOOD_KEY })).toEqual({ hint: "sk-ant-…WXYZ" });
    const summary = await api.billing.summary();
    expect(summary.keyHint).toBe("sk-ant-…WXYZ");
    expect(JSON.stringify(summary, (_, v) => (typeof v === "bigint" ? v.toString() : v))).not.toContain("good-key");
    const [row] = await database.db.select().from(providerKeys).where(eq(providerKeys.userId, me.id));
    expect(row?.ciphertext).not.toContain("good-key");
    await api.billing.removeKey();
    expect((await api.billing.summary()).keyHint).toBeNull();
  });

  it("reports usage by day, model, project and member, and exports CSV", async () => {
    const { owner, project, members } = await makeProject(database.db, ["editor"]);
    const editor = members.editor;
    if (!editor) throw new Error("fixture");
    for (const [actor, i] of [[owner, 1], [editor, 2]] as const) {
      const r = await reserveCloudBudget(database.db, { projectId: project.id, actorId: actor.id, requestId: `r-${project.id}-${i}`, model: "claude-haiku-5-5", bound: { tokensIn: 1000 * i, tokensOut: 200 } });
      await settleReservation(database.db, { reservationId: r.reservationId, messageId: null, usage: { tokensIn: 1000 * i, tokensOut: 100 } });
    }
    const api = createCaller(contextFor(database.db, owner));
    const usage = await api.billing.usage({ from: today, to: today });
    expect(usage.daily).toEqual([{ day: today, chargedMicros: 400n, costBasisMicros: 400n, requests: 2, tokensIn: 3000, tokensOut: 200 }]);
    expect(usage.byModel).toEqual([{ key: "claude-haiku-5-5", label: "claude-haiku-5-5", chargedMicros: 400n, requests: 2, tokens: 3200 }]);
    expect(usage.byProject).toMatchObject([{ key: project.id, label: "Test project", chargedMicros: 400n }]);
    expect(usage.byMember.map((m) => m.chargedMicros)).toEqual([250n, 150n]);
    const csv = await api.billing.exportCsv({ from: today, to: today });
    const lines = csv.trim().split("\n");
    expect(lines[0]).toMatch(/^created_at,request_id,project,member/);
    expect(lines).toHaveLength(3);
    expect(csv).toContain("0.000250");
    await expect(api.billing.usage({ from: today, to: "2020-01-01" })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const tab = await api.billing.project({ projectId: project.id, from: today, to: today });
    expect(tab.members.find((m) => m.userId === editor.id)).toMatchObject({ spentMicros: 250n, quotaMicros: 5_000_000n });
    await expect(createCaller(contextFor(database.db, editor)).billing.project({ projectId: project.id, from: today, to: today })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // the editor's own account shows nothing: the owner paid
    expect((await createCaller(contextFor(database.db, editor)).billing.usage({ from: today, to: today })).byModel).toEqual([]);
  });

  it("rejects anonymous callers", async () => {
    await expect(createCaller(contextFor(database.db, null)).billing.summary()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
