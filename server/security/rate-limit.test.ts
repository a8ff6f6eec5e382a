import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { rateLimits } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { clearRateLimit, hitRateLimit, isRateLimited } from "./rate-limit";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const rule = { limit: 3, windowMs: 60_000 };
async function shift(key: string, ms: number) {
  await database.db.update(rateLimits).set({ windowStart: sql`${rateLimits.windowStart} - (${ms} * interval '1 millisecond')` }).where(eq(rateLimits.key, key));
}

describe("sliding-window rate limits", () => {
  it("a burst just after a window edge still counts the burst just before it", async () => {
    const key = "test:edge";
    for (let i = 0; i < rule.limit; i++) expect((await hitRateLimit(database.db, { key, rule })).limited).toBe(false);
    // A fixed window would start counting from zero here and let three more through.
    await shift(key, rule.windowMs + 1_000);
    expect((await hitRateLimit(database.db, { key, rule })).limited).toBe(true);
    expect(await isRateLimited(database.db, { key, rule })).toBe(true);
  });

  it("the previous window's weight fades as it slides out, and after two windows nothing is left", async () => {
    const key = "test:fade";
    for (let i = 0; i < rule.limit; i++) await hitRateLimit(database.db, { key, rule });
    await shift(key, rule.windowMs + rule.windowMs * 0.8); // 80 % of the old window has slid out: weight 0.2 → 0.6
    expect(await isRateLimited(database.db, { key, rule })).toBe(false);
    expect((await hitRateLimit(database.db, { key, rule })).rate).toBeCloseTo(1 + 3 * 0.2, 1);
    await shift(key, rule.windowMs * 3);
    expect(await isRateLimited(database.db, { key, rule })).toBe(false);
    expect((await hitRateLimit(database.db, { key, rule })).count).toBe(1);
  });

  it("parallel hits each get their own count, so exactly `limit` pass", async () => {
    const key = "test:parallel";
    const results = await Promise.all(Array.from({ length: 40 }, () => hitRateLimit(database.db, { key, rule })));
    expect(results.filter((r) => !r.limited)).toHaveLength(rule.limit);
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("clearing forgets the key", async () => {
    const key = "test:clear";
    for (let i = 0; i < rule.limit + 1; i++) await hitRateLimit(database.db, { key, rule });
    await clearRateLimit(database.db, { key });
    expect(await isRateLimited(database.db, { key, rule })).toBe(false);
  });
});
