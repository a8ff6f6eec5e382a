import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "@/db/client";
import { accessTokens, authTokens, chats, chatStreams, rateLimits, securityEvents, sessions, streamEvents, verificationTokens } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { pruneExpiredRows, type RetentionPeriods } from "./retention";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const DAY = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const PERIODS: RetentionPeriods = { streamEventsDays: 7, rateLimitsDays: 1, securityEventsDays: 365, expiredTokensDays: 30 };

async function count(table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from ${sql.identifier(table)}`);
  return Number(row?.n ?? 0);
}

describe("pruneExpiredRows", () => {
  it("deletes what outlived its period and keeps the rest, running streams above all", async () => {
    const db = database.db;
    const { owner, project } = await makeProject(db);
    const [chat] = await db.insert(chats).values({ projectId: project.id, createdBy: owner.id }).returning();
    if (!chat) throw new Error("no chat");
    const stream = (status: "running" | "done", finishedAt: Date | null, n: number) =>
      db.insert(chatStreams).values({ requestId: `r-${n}`, chatId: chat.id, startedBy: owner.id, status, finishedAt, createdAt: ago(40) }).returning();
    const [oldDone] = await stream("done", ago(8), 1);
    const [recentDone] = await stream("done", ago(2), 2);
    // a long-running stream started long ago is still being written: never touched
    const [running] = await stream("running", null, 3);
    for (const s of [oldDone, recentDone, running]) {
      if (!s) throw new Error("no stream");
      await db.insert(streamEvents).values([1, 2, 3].map((seq) => ({ streamId: s.id, seq, event: { type: "content", text: "x" }, createdAt: ago(40) })));
    }

    await db.insert(rateLimits).values([
      { key: "sign-in:old", windowStart: ago(2), count: 3 },
      { key: "sign-in:now", windowStart: new Date(), count: 1 },
    ]);
    await db.insert(securityEvents).values([
      { userId: owner.id, kind: "sign_in_success", createdAt: ago(400) },
      { userId: owner.id, kind: "sign_in_success", createdAt: ago(10) },
    ]);
    await db.insert(verificationTokens).values([
      { identifier: owner.email, token: "old", expires: ago(31) },
      { identifier: owner.email, token: "live", expires: new Date(Date.now() + DAY) },
    ]);
    await db.insert(authTokens).values([
      { userId: owner.id, purpose: "reset_password", tokenHash: "expired-long-ago", expiresAt: ago(31) },
      { userId: owner.id, purpose: "verify_email", tokenHash: "used-long-ago", expiresAt: new Date(Date.now() + DAY), usedAt: ago(31) },
      { userId: owner.id, purpose: "verify_email", tokenHash: "live", expiresAt: new Date(Date.now() + DAY) },
    ]);
    await db.insert(sessions).values([
      { sessionToken: "old-session", userId: owner.id, expires: ago(31) },
      { sessionToken: "live-session", userId: owner.id, expires: new Date(Date.now() + DAY) },
    ]);
    const token = (name: string, extra: { expiresAt?: Date; revokedAt?: Date }) => ({ userId: owner.id, name, prefix: "arbor_pat_x", tokenHash: `h-${name}`, scopes: ["read" as const], ...extra });
    await db.insert(accessTokens).values([token("expired", { expiresAt: ago(31) }), token("revoked", { revokedAt: ago(31) }), token("revoked-lately", { revokedAt: ago(1) }), token("live", {})]);

    const deleted = await pruneExpiredRows(db, PERIODS);
    expect(deleted).toEqual({ stream_events: 3, rate_limits: 1, security_events: 1, verification_tokens: 1, auth_tokens: 2, sessions: 1, access_tokens: 2 });

    const left = await db.select({ streamId: streamEvents.streamId }).from(streamEvents);
    expect(new Set(left.map((r) => r.streamId))).toEqual(new Set([recentDone?.id, running?.id]));
    expect((await db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key)).toEqual(["sign-in:now"]);
    expect(await count("security_events")).toBe(1);
    expect((await db.select({ token: verificationTokens.token }).from(verificationTokens)).map((r) => r.token)).toEqual(["live"]);
    expect((await db.select({ h: authTokens.tokenHash }).from(authTokens)).map((r) => r.h)).toEqual(["live"]);
    expect((await db.select({ t: sessions.sessionToken }).from(sessions)).map((r) => r.t)).toEqual(["live-session"]);
    expect((await db.select({ name: accessTokens.name }).from(accessTokens)).map((r) => r.name).sort()).toEqual(["live", "revoked-lately"]);

    // a second run finds nothing more
    expect(Object.values(await pruneExpiredRows(db, PERIODS)).every((n) => n === 0)).toBe(true);
  });

  it("takes big tables in bounded batches until they are done", async () => {
    const db = database.db;
    await db.execute(sql`insert into rate_limits (key, window_start, count) select 'bulk-' || g, now() - interval '3 days', 1 from generate_series(1, 4500) g`);
    const deleted = await pruneExpiredRows(database.db, PERIODS);
    expect(deleted.rate_limits).toBe(4500);
    expect(await count("rate_limits")).toBe(1);
  });
});
