import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { modelPrices } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { resetEnvForTests } from "@/server/env";
import { compareModelIds, costBasisMicros, defaultCloudModel, ensureModelPrices, getModelPrice, SEED_MODEL_PRICES } from "./model-prices";

let database: Database;
beforeAll(async () => {
  process.env.ENCRYPTION_KEY ??= "c".repeat(64);
  process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
  delete process.env.ANTHROPIC_MODEL;
  resetEnvForTests();
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe("model prices", () => {
  it("seeds the list prices as micro-USD per million tokens, once, without overwriting an operator's edit", async () => {
    await ensureModelPrices(database.db);
    expect(await getModelPrice(database.db, "claude-haiku-5-5")).toMatchObject({ inputMicrosPerMTok: 100_000n, outputMicrosPerMTok: 500_000n, family: "haiku" });
    expect(await getModelPrice(database.db, "claude-sonnet-5-5")).toMatchObject({ inputMicrosPerMTok: 2_000_000n, outputMicrosPerMTok: 10_000_000n });
    expect(await getModelPrice(database.db, "claude-opus-5-5")).toMatchObject({ inputMicrosPerMTok: 4_000_000n, outputMicrosPerMTok: 20_000_000n });
    await database.db.update(modelPrices).set({ outputMicrosPerMTok: 11_000_000n }).where(eq(modelPrices.model, "claude-sonnet-5-5"));
    await ensureModelPrices(database.db);
    expect((await getModelPrice(database.db, "claude-sonnet-5-5")).outputMicrosPerMTok).toBe(11_000_000n);
    expect(await database.db.$count(modelPrices)).toBe(SEED_MODEL_PRICES.length);
    await expect(getModelPrice(database.db, "gpt-unknown")).rejects.toMatchObject({ code: "not_found:model" });
  });

  it("defaults to the newest non-deprecated Sonnet; ANTHROPIC_MODEL overrides", async () => {
    await ensureModelPrices(database.db);
    expect(await defaultCloudModel(database.db)).toBe("claude-sonnet-5-5");
    await database.db.update(modelPrices).set({ isDefault: 0 });
    await database.db.insert(modelPrices).values({ model: "claude-sonnet-4-6", provider: "anthropic", label: "Sonnet 4.6", family: "sonnet", inputMicrosPerMTok: 1n, outputMicrosPerMTok: 1n });
    expect(await defaultCloudModel(database.db)).toBe("claude-sonnet-5-5");
    await database.db.update(modelPrices).set({ deprecated: 1 }).where(eq(modelPrices.model, "claude-sonnet-5-5"));
    expect(await defaultCloudModel(database.db)).toBe("claude-sonnet-4-6");
    process.env.ANTHROPIC_MODEL = "claude-opus-5-5";
    resetEnvForTests();
    try {
      expect(await defaultCloudModel(database.db)).toBe("claude-opus-5-5");
    } finally {
      delete process.env.ANTHROPIC_MODEL;
      resetEnvForTests();
    }
  });

  it("orders model ids by version and prices usage with integer ceiling math", () => {
    expect(["claude-sonnet-5-5", "claude-sonnet-4-6", "claude-sonnet-5"].sort(compareModelIds)).toEqual(["claude-sonnet-4-6", "claude-sonnet-5", "claude-sonnet-5-5"]);
    const sonnet = { inputMicrosPerMTok: 2_000_000n, outputMicrosPerMTok: 10_000_000n };
    expect(costBasisMicros(sonnet, 1_000, 500)).toBe(7_000n);
    expect(costBasisMicros(sonnet, 1, 0)).toBe(2n);
    expect(costBasisMicros({ inputMicrosPerMTok: 100_000n, outputMicrosPerMTok: 500_000n }, 3, 1)).toBe(1n);
    expect(costBasisMicros(sonnet, 0, 0)).toBe(0n);
  });
});
