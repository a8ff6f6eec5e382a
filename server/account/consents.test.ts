import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { userConsents, users } from "@/db/schema";
import { LEGAL_VERSIONS } from "@/lib/legal";
import { signUp } from "@/server/auth/accounts";
import { createTestDatabase } from "@/testing/database";
import { listConsents, shownVersionsAreCurrent } from "./consents";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const email = () => `consent-${Math.random().toString(16).slice(2, 10)}@example.com`;

describe("consents at sign-up", () => {
  it("a sign-up records the Terms and the Privacy notice, with their versions and the time, with the account", async () => {
    const before = Date.now();
    const result = await signUp(database.db, { email: email(), password: "correct horse battery", appUrl: "http://localhost", address: "127.0.0.1" });
    if (!result.created) throw new Error("not created");
    const rows = await listConsents(database.db, { userId: result.user.id });
    expect(rows.map((r) => [r.document, r.version, r.method]).sort()).toEqual([
      ["privacy", LEGAL_VERSIONS.privacy, "sign_up"],
      ["terms", LEGAL_VERSIONS.terms, "sign_up"],
    ]);
    for (const r of rows) expect(r.acceptedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it("an address that already has an account records nothing new", async () => {
    const address = email();
    const first = await signUp(database.db, { email: address, password: "correct horse battery", appUrl: "http://localhost", address: "127.0.0.2" });
    if (!first.created) throw new Error("not created");
    expect((await signUp(database.db, { email: address, password: "correct horse battery", appUrl: "http://localhost", address: "127.0.0.2" })).created).toBe(false);
    expect(await database.db.select().from(userConsents).where(eq(userConsents.userId, first.user.id))).toHaveLength(2);
  });

  it("no account exists without its consent: a failed consent write leaves no account behind", async () => {
    // A consent row for a user id that does not exist fails its foreign key; the same must be true in reverse —
    // the account insert and the consent insert share one transaction, so aborting it removes both.
    const address = email();
    await expect(
      database.db.transaction(async (tx) => {
        const [u] = await tx.insert(users).values({ email: address }).returning();
        if (!u) throw new Error("no user");
        await tx.insert(userConsents).values({ userId: u.id, document: "terms", version: LEGAL_VERSIONS.terms, method: "sign_up" });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await database.db.select().from(users).where(eq(users.email, address))).toEqual([]);
  });

  it("a form showing stale versions is sent back to read the new text", () => {
    expect(shownVersionsAreCurrent({ terms: LEGAL_VERSIONS.terms, privacy: LEGAL_VERSIONS.privacy })).toBe(true);
    expect(shownVersionsAreCurrent({ terms: "2020-01-01", privacy: LEGAL_VERSIONS.privacy })).toBe(false);
    expect(shownVersionsAreCurrent({ terms: null, privacy: null })).toBe(false);
  });
});
