import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { emailOutbox, securityEvents, sessions } from "@/db/schema";
import { openSignInSession } from "@/server/auth/open-session";
import { resolveServerSession } from "@/server/auth/server-sessions";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeUser } from "@/testing/fixtures";
import { describeBrowser, endSession, listSessions, truncateAddress } from "./session-list";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const browserToken = () => randomBytes(18).toString("base64url");

async function signInFrom(userId: string, userAgent: string, token = browserToken(), address = "203.0.113.77") {
  const opened = await openSignInSession(database.db, { userId, method: "password", userAgent, address, browserToken: token });
  return { ...opened, browserToken: token };
}
async function mailsTo(to: string) {
  return database.db.select().from(emailOutbox).where(eq(emailOutbox.to, to)).orderBy(emailOutbox.createdAt);
}
async function eventsOf(userId: string, kind: string) {
  return database.db
    .select()
    .from(securityEvents)
    .where(and(eq(securityEvents.userId, userId), eq(securityEvents.kind, kind as never)));
}

describe("describing a session", () => {
  it("names browser and system from the user agent, and keeps only the network part of an address", () => {
    expect(describeBrowser(FIREFOX)).toMatchObject({ browser: "Firefox 133", system: "Ubuntu" });
    expect(describeBrowser(CHROME_MAC).label).toBe("Chrome 131 on Mac OS 10.15.7");
    expect(describeBrowser(null).label).toBe("Unknown browser on unknown system");
    expect(truncateAddress("203.0.113.77")).toBe("203.0.113.x");
    expect(truncateAddress("::ffff:198.51.100.4")).toBe("198.51.100.x");
    expect(truncateAddress("2001:db8:85a3:0:0:8a2e:370:7334")).toBe("2001:db8:85a3::");
    expect(truncateAddress(null)).toBe("unknown");
  });
});

describe("the session list", () => {
  it("lists the person's own sessions with browser, system, truncated address and this one first and marked", async () => {
    const ada = await makeUser(database.db);
    const other = await makeUser(database.db);
    const firefox = await signInFrom(ada.id, FIREFOX);
    const chrome = await signInFrom(ada.id, CHROME_MAC, browserToken(), "2001:db8:85a3:0:0:8a2e:370:7334");
    await signInFrom(other.id, FIREFOX);
    const list = await listSessions(database.db, { userId: ada.id, currentSessionToken: chrome.sessionToken });
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ browser: "Chrome 131", system: "Mac OS 10.15.7", address: "2001:db8:85a3::", current: true });
    expect(list[1]).toMatchObject({ browser: "Firefox 133", system: "Ubuntu", address: "203.0.113.x", current: false });
    expect(list[1]?.createdAt).toBeInstanceOf(Date);
    expect(list[1]?.lastSeenAt).toBeInstanceOf(Date);
    // the secret never leaves the server: the list carries the public id only
    expect(JSON.stringify(list)).not.toContain(firefox.sessionToken);
  });

  it("moves 'last seen' when a session is used, at most once a minute", async () => {
    const ada = await makeUser(database.db);
    const { sessionToken } = await signInFrom(ada.id, FIREFOX);
    const long = new Date(Date.now() - 3_600_000);
    await database.db.update(sessions).set({ lastSeenAt: long }).where(eq(sessions.sessionToken, sessionToken));
    await resolveServerSession(database.db, { sessionToken });
    const [row] = await database.db.select().from(sessions).where(eq(sessions.sessionToken, sessionToken));
    expect(row?.lastSeenAt?.getTime()).toBeGreaterThan(Date.now() - 10_000);
  });
});

describe("ending sessions", () => {
  it("ending another session of one's own signs it out on its very next request, is logged and mailed", async () => {
    const ada = await makeUser(database.db);
    const here = await signInFrom(ada.id, CHROME_MAC);
    const there = await signInFrom(ada.id, FIREFOX);
    const [target] = (await listSessions(database.db, { userId: ada.id, currentSessionToken: here.sessionToken })).filter((s) => !s.current);
    await endSession(database.db, { userId: ada.id, sessionId: target?.id ?? "", currentSessionToken: here.sessionToken });
    expect(await resolveServerSession(database.db, { sessionToken: there.sessionToken })).toBeNull();
    expect(await resolveServerSession(database.db, { sessionToken: here.sessionToken })).not.toBeNull();
    expect(await eventsOf(ada.id, "session_ended")).toHaveLength(1);
    expect((await mailsTo(ada.email)).at(-1)?.text).toContain("Firefox 133 on Ubuntu was signed out");
  });

  it("a session id of another person is refused as not found and that session goes on", async () => {
    const ada = await makeUser(database.db);
    const mallory = await makeUser(database.db);
    const adas = await signInFrom(ada.id, FIREFOX);
    const mallorys = await signInFrom(mallory.id, CHROME_MAC);
    const [adaSession] = await listSessions(database.db, { userId: ada.id, currentSessionToken: adas.sessionToken });
    const api = createCaller({ ...contextFor(database.db, mallory), sessionToken: mallorys.sessionToken });
    await expect(api.accountSecurity.endSession({ sessionId: adaSession?.id ?? "" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await resolveServerSession(database.db, { sessionToken: adas.sessionToken })).not.toBeNull();
    expect(await eventsOf(ada.id, "session_ended")).toHaveLength(0);
    expect(await eventsOf(mallory.id, "session_ended")).toHaveLength(0);
  });

  it("the session in use is not ended from the list (signing out does that)", async () => {
    const ada = await makeUser(database.db);
    const here = await signInFrom(ada.id, FIREFOX);
    const [mine] = await listSessions(database.db, { userId: ada.id, currentSessionToken: here.sessionToken });
    await expect(endSession(database.db, { userId: ada.id, sessionId: mine?.id ?? "", currentSessionToken: here.sessionToken })).rejects.toMatchObject({
      code: "bad_request:session",
    });
    expect(await resolveServerSession(database.db, { sessionToken: here.sessionToken })).not.toBeNull();
  });

  it("'end all other sessions' keeps this one and ends every other, once", async () => {
    const ada = await makeUser(database.db);
    const bob = await makeUser(database.db);
    const here = await signInFrom(ada.id, FIREFOX);
    const a = await signInFrom(ada.id, CHROME_MAC);
    const b = await signInFrom(ada.id, CHROME_MAC);
    const bobs = await signInFrom(bob.id, FIREFOX);
    const api = createCaller({ ...contextFor(database.db, ada), sessionToken: here.sessionToken });
    expect(await api.accountSecurity.endOtherSessions()).toEqual({ ended: 2 });
    for (const gone of [a, b]) expect(await resolveServerSession(database.db, { sessionToken: gone.sessionToken })).toBeNull();
    expect(await resolveServerSession(database.db, { sessionToken: here.sessionToken })).not.toBeNull();
    expect(await resolveServerSession(database.db, { sessionToken: bobs.sessionToken })).not.toBeNull();
    expect(await api.accountSecurity.endOtherSessions()).toEqual({ ended: 0 });
    expect(await eventsOf(ada.id, "other_sessions_ended")).toHaveLength(1);
  });
});

describe("a sign-in from a new browser", () => {
  it("the account's first browser is remembered quietly; a new one gets a mail naming it; a known one does not", async () => {
    const ada = await makeUser(database.db);
    const first = await signInFrom(ada.id, CHROME_MAC);
    expect(first.newBrowser).toBe(false);
    expect(await mailsTo(ada.email)).toHaveLength(0);

    const again = await signInFrom(ada.id, CHROME_MAC, first.browserToken);
    expect(again.newBrowser).toBe(false);

    const elsewhere = await signInFrom(ada.id, FIREFOX, browserToken(), "198.51.100.23");
    expect(elsewhere.newBrowser).toBe(true);
    const [mail] = await mailsTo(ada.email);
    expect(mail?.subject).toBe("New sign-in to Arbor from Firefox 133 on Ubuntu");
    expect(mail?.text).toContain("network 198.51.100.x");
    expect(await eventsOf(ada.id, "new_browser")).toHaveLength(1);

    // the same browser again is known now
    expect((await signInFrom(ada.id, FIREFOX, elsewhere.browserToken)).newBrowser).toBe(false);
    expect(await mailsTo(ada.email)).toHaveLength(1);
  });

  it("a browser known to one account is new to another", async () => {
    const ada = await makeUser(database.db);
    const bob = await makeUser(database.db);
    await signInFrom(bob.id, CHROME_MAC);
    const shared = browserToken();
    await signInFrom(ada.id, CHROME_MAC, shared);
    expect((await signInFrom(bob.id, FIREFOX, shared)).newBrowser).toBe(true);
  });
});
