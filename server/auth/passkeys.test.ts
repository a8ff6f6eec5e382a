import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { passkeys, securityEvents } from "@/db/schema";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { SoftwarePasskey } from "@/testing/fakes/webauthn-authenticator";
import { contextFor, makeUser } from "@/testing/fixtures";
import { openSignInSession } from "./open-session";
import { listPasskeys, passkeyAuthenticationOptions, passkeyRegistrationOptions, registerPasskey, relyingParty } from "./passkeys";
import { completeWithPasskey, signInWithPasskey } from "./second-factor";
import { resolveServerSession } from "./server-sessions";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const address = "203.0.113.9";

async function withPasskey(name = "Laptop") {
  const user = await makeUser(database.db);
  const key = new SoftwarePasskey();
  const options = await passkeyRegistrationOptions(database.db, { userId: user.id });
  const saved = await registerPasskey(database.db, { userId: user.id, response: key.register(options, { origin: relyingParty().origin }), name });
  return { user, key, saved };
}

describe("registering a passkey", () => {
  it("keeps a passkey made for our origin and RP, named, logged and mailed", async () => {
    const { user, key, saved } = await withPasskey("Work laptop");
    expect(saved.name).toBe("Work laptop");
    const [row] = await database.db.select().from(passkeys).where(eq(passkeys.userId, user.id));
    expect(row?.credentialId).toBe(key.id);
    expect((await listPasskeys(database.db, { userId: user.id })).map((k) => k.name)).toEqual(["Work laptop"]);
    const kinds = (await database.db.select().from(securityEvents).where(eq(securityEvents.userId, user.id))).map((e) => e.kind);
    expect(kinds).toContain("passkey_added");
  });

  it("refuses one made for another origin or another RP ID, and a challenge used twice", async () => {
    const user = await makeUser(database.db);
    const key = new SoftwarePasskey();
    const elsewhere = await passkeyRegistrationOptions(database.db, { userId: user.id });
    await expect(registerPasskey(database.db, { userId: user.id, response: key.register(elsewhere, { origin: "https://evil.example" }), name: "x" })).rejects.toMatchObject({
      code: "bad_request:passkey",
    });
    const otherRp = await passkeyRegistrationOptions(database.db, { userId: user.id });
    await expect(
      registerPasskey(database.db, { userId: user.id, response: key.register(otherRp, { origin: relyingParty().origin, rpId: "evil.example" }), name: "x" }),
    ).rejects.toMatchObject({ code: "bad_request:passkey" });
    const fine = await passkeyRegistrationOptions(database.db, { userId: user.id });
    const response = key.register(fine, { origin: relyingParty().origin });
    await registerPasskey(database.db, { userId: user.id, response, name: "ok" });
    await expect(registerPasskey(database.db, { userId: user.id, response, name: "again" })).rejects.toMatchObject({ code: "bad_request:passkey" });
    expect(await listPasskeys(database.db, { userId: user.id })).toHaveLength(1);
  });

  it("a challenge issued to one account cannot register a passkey on another", async () => {
    const ada = await makeUser(database.db);
    const mallory = await makeUser(database.db);
    const options = await passkeyRegistrationOptions(database.db, { userId: ada.id });
    const response = new SoftwarePasskey().register(options, { origin: relyingParty().origin });
    await expect(registerPasskey(database.db, { userId: mallory.id, response, name: "x" })).rejects.toMatchObject({ code: "bad_request:passkey" });
  });
});

describe("signing in with a passkey", () => {
  it("alone: the passkey names the account, and the sign-in is a full session even with a second factor", async () => {
    const { user, key } = await withPasskey();
    const options = await passkeyAuthenticationOptions(database.db, { userId: null });
    const signedIn = await signInWithPasskey(database.db, { response: key.authenticate(options, { origin: relyingParty().origin }), address });
    expect(signedIn.id).toBe(user.id);
    const opened = await openSignInSession(database.db, { userId: user.id, method: "passkey", userAgent: null, address, browserToken: null });
    expect(opened.stage).toBe("full");
    expect((await listPasskeys(database.db, { userId: user.id }))[0]?.lastUsedAt).toBeInstanceOf(Date);
  });

  it("an assertion for another origin or RP, a replayed one, or an unknown passkey is refused", async () => {
    const { key } = await withPasskey();
    const origin = relyingParty().origin;
    const a = await passkeyAuthenticationOptions(database.db, { userId: null });
    await expect(signInWithPasskey(database.db, { response: key.authenticate(a, { origin: "https://evil.example" }), address })).rejects.toMatchObject({ code: "bad_request:passkey" });
    const b = await passkeyAuthenticationOptions(database.db, { userId: null });
    await expect(signInWithPasskey(database.db, { response: key.authenticate(b, { origin, rpId: "evil.example" }), address })).rejects.toMatchObject({ code: "bad_request:passkey" });
    const c = await passkeyAuthenticationOptions(database.db, { userId: null });
    const good = key.authenticate(c, { origin });
    await signInWithPasskey(database.db, { response: good, address });
    await expect(signInWithPasskey(database.db, { response: good, address })).rejects.toMatchObject({ code: "bad_request:passkey" });
    const d = await passkeyAuthenticationOptions(database.db, { userId: null });
    await expect(signInWithPasskey(database.db, { response: new SoftwarePasskey().authenticate(d, { origin }), address })).rejects.toMatchObject({ code: "bad_request:passkey" });
  });

  it("as the second factor after a password: only the waiting account's own passkey completes it", async () => {
    const { user, key } = await withPasskey();
    const { key: otherKey } = await withPasskey();
    const { sessionToken, stage } = await openSignInSession(database.db, { userId: user.id, method: "password", userAgent: null, address, browserToken: null });
    expect(stage).toBe("second_factor");
    const origin = relyingParty().origin;
    const wrong = await passkeyAuthenticationOptions(database.db, { userId: user.id });
    await expect(completeWithPasskey(database.db, { sessionToken, response: otherKey.authenticate(wrong, { origin }), address })).rejects.toMatchObject({ code: "bad_request:passkey" });
    expect(await resolveServerSession(database.db, { sessionToken })).toBeNull();
    const right = await passkeyAuthenticationOptions(database.db, { userId: user.id });
    await completeWithPasskey(database.db, { sessionToken, response: key.authenticate(right, { origin }), address });
    expect(await resolveServerSession(database.db, { sessionToken })).toMatchObject({ id: user.id });
  });
});

describe("renaming and removing", () => {
  it("only one's own passkeys; another person's id is not found and changes nothing", async () => {
    const { user, saved } = await withPasskey("Phone");
    const mallory = await makeUser(database.db);
    const theirs = createCaller(contextFor(database.db, mallory));
    await expect(theirs.accountSecurity.renamePasskey({ passkeyId: saved.id, name: "Mine now" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(theirs.accountSecurity.removePasskey({ passkeyId: saved.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listPasskeys(database.db, { userId: user.id })).map((k) => k.name)).toEqual(["Phone"]);
    const mine = createCaller(contextFor(database.db, user));
    await mine.accountSecurity.renamePasskey({ passkeyId: saved.id, name: "Old phone" });
    expect((await listPasskeys(database.db, { userId: user.id })).map((k) => k.name)).toEqual(["Old phone"]);
    await mine.accountSecurity.removePasskey({ passkeyId: saved.id });
    expect(await listPasskeys(database.db, { userId: user.id })).toHaveLength(0);
    const kinds = (await database.db.select().from(securityEvents).where(eq(securityEvents.userId, user.id))).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["passkey_added", "passkey_renamed", "passkey_removed"]));
  });
});
