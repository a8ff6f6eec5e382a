import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdapterUser } from "next-auth/adapters";
import type { Database } from "@/db/client";
import { userConsents, users } from "@/db/schema";
import { LEGAL_VERSIONS } from "@/lib/legal";
import { signUp } from "@/server/auth/accounts";
import { arborAdapter } from "@/server/auth/adapter";
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

/** What Auth.js calls on a first OAuth or magic-link sign-in: our adapter's createUser, on the real database. */
function createUser(data: AdapterUser) {
  const create = arborAdapter(database.db).createUser;
  if (!create) throw new Error("adapter without createUser");
  return create(data);
}

describe("consents of accounts Auth.js creates", () => {
  it("a first GitHub or Google sign-in records both documents, method oauth_sign_up, with the account", async () => {
    const before = Date.now();
        const user = await createUser({ id: crypto.randomUUID(), email: email(), name: "Octo Cat", image: null, emailVerified: null });
    const rows = await listConsents(database.db, { userId: user.id });
    expect(rows.map((r) => [r.document, r.version, r.method]).sort()).toEqual([
      ["privacy", LEGAL_VERSIONS.privacy, "oauth_sign_up"],
      ["terms", LEGAL_VERSIONS.terms, "oauth_sign_up"],
    ]);
    for (const r of rows) expect(r.acceptedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it("a magic link to an address without an account records them as a magic-link sign-up", async () => {
    const user = await createUser({ id: crypto.randomUUID(), email: email(), emailVerified: new Date() });
    expect((await listConsents(database.db, { userId: user.id })).map((r) => r.method)).toEqual(["magic_link_sign_up", "magic_link_sign_up"]);
  });

  it("an account the adapter fails to create leaves no consent behind (one transaction)", async () => {
    const address = email();
    const first = await createUser({ id: crypto.randomUUID(), email: address, emailVerified: null });
    const consentsBefore = (await database.db.select().from(userConsents)).length;
    // The same address again: the users insert fails, so nothing of it stays.
    await expect(createUser({ id: crypto.randomUUID(), email: address, emailVerified: null })).rejects.toThrow();
    expect((await database.db.select().from(userConsents)).length).toBe(consentsBefore);
    expect(await database.db.select().from(userConsents).where(eq(userConsents.userId, first.id))).toHaveLength(2);
  });
});
