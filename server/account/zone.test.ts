import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { emailOutbox, invites, shareLinks, usageEvents } from "@/db/schema";
import { createChat } from "@/server/chat/chats";
import { createInvite } from "@/server/collab/invites";
import { startHandover } from "@/server/handover/start";
import { createCaller } from "@/server/routers/_app";
import { createShareLink } from "@/server/share/links";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { updatePreferences } from "./preferences";
import { zoneOfAddress, zoneOfUser } from "./zone";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

let address = 0;
const api = (u: { id: string; email: string } | null) => createCaller({ ...contextFor(database.db, u), ip: `10.5.${Math.floor(address / 250)}.${address++ % 250}` });
const inBerlin = async (u: { id: string }) => updatePreferences(database.db, { userId: u.id, changes: { timezone: "Europe/Berlin" } });

describe("times in the person's own zone", () => {
  it("the zone is the preference, or UTC for no account, no preference or a broken one", async () => {
    const me = await makeUser(database.db);
    expect(await zoneOfUser(database.db, me.id)).toBe("UTC");
    expect(await zoneOfUser(database.db, null)).toBe("UTC");
    await inBerlin(me);
    expect(await zoneOfUser(database.db, me.id)).toBe("Europe/Berlin");
    expect(await zoneOfAddress(database.db, me.email.toUpperCase())).toBe("Europe/Berlin");
    expect(await zoneOfAddress(database.db, "nobody@example.com")).toBe("UTC");
    await updatePreferences(database.db, { userId: me.id, changes: { timezone: "Mars/Olympus" } });
    expect(await zoneOfUser(database.db, me.id)).toBe("UTC");
  });

  it("the usage chart buckets by the viewer's calendar day, not UTC's", async () => {
    const { owner } = await makeProject(database.db);
    // 23:30 UTC on Dec 1 is already Dec 2 in Berlin
    await database.db.insert(usageEvents).values({
      requestId: `zone-${owner.id}`,
      payerId: owner.id,
      actorId: owner.id,
      tier: "cloud",
      provider: "anthropic",
      model: "claude-haiku-5-5",
      tokensIn: 10,
      tokensOut: 10,
      costBasisMicros: 1_000n,
      netChargeMicros: 1_000n,
      createdAt: new Date("2026-12-01T23:30:00Z"),
    });
    const day = async () => (await api(owner).billing.usage({ from: "2026-12-01", to: "2026-12-02" })).daily.map((d) => [d.day, d.requests]);
    expect(await day()).toEqual([["2026-12-01", 1], ["2026-12-02", 0]]);
    await inBerlin(owner);
    expect(await day()).toEqual([["2026-12-01", 0], ["2026-12-02", 1]]);
    // a one-day range in Berlin is Berlin's day: the event is in Dec 2, not in Dec 1
    expect((await api(owner).billing.usage({ from: "2026-12-01", to: "2026-12-01" })).daily).toEqual([expect.objectContaining({ day: "2026-12-01", requests: 0 })]);
  });

  it("an invite's and a handover's mail state the expiry in the recipient's zone, named", async () => {
    const { owner, project } = await makeProject(database.db);
    const guest = await makeUser(database.db);
    await inBerlin(guest);
    await createInvite(database.db, { projectId: project.id, hostId: owner.id, role: "viewer", quotaMicros: 0n, expiresInHours: 24, email: guest.email });
    const [invite] = await database.db.select().from(invites).where(eq(invites.projectId, project.id));
    const [inviteMail] = await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, guest.email));
    expect(inviteMail?.text).toMatch(/works until \w{3} \d{1,2}, \d{4}, \d{2}:\d{2} GMT\+1 /);
    expect(inviteMail?.text).not.toMatch(/GMT\b(?!\+1)|UTC/);
    const berlin = new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Berlin", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(invite?.expiresAt);
    expect(inviteMail?.text).toContain(berlin);

    await startHandover(database.db, { projectId: project.id, fromUserId: owner.id, toEmail: guest.email, includeKnowledge: true, includeAdapters: true, previousOwnerLeaves: false, message: "" });
    const mails = await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, guest.email));
    expect(mails.find((m) => m.subject.includes("hand over"))?.text).toMatch(/works until .+ GMT\+1\./);
    // an address without an account: UTC, and it says so
    const stranger = `x-${owner.id.slice(0, 8)}@example.com`;
    await createInvite(database.db, { projectId: project.id, hostId: owner.id, role: "viewer", quotaMicros: 0n, expiresInHours: 24, email: stranger });
    const [toStranger] = await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, stranger));
    expect(toStranger?.text).toMatch(/works until .+ UTC /);
  });

  it("an expired invite or share link says when, in the signed-in caller's zone", async () => {
    const { owner, project } = await makeProject(database.db);
    const guest = await makeUser(database.db);
    await inBerlin(guest);
    const { token } = await createInvite(database.db, { projectId: project.id, hostId: owner.id, role: "viewer", quotaMicros: 0n, expiresInHours: 1 });
    await database.db.update(invites).set({ expiresAt: new Date("2026-11-30T23:30:00Z") }).where(eq(invites.projectId, project.id));
    await expect(api(guest).collab.acceptInvite({ token })).rejects.toThrow("This invite expired on Dec 1, 2026, 00:30 GMT+1.");

    const chat = await createChat(database.db, { projectId: project.id, by: owner.id, title: "T" });
    const link = await createShareLink(database.db, { projectId: project.id, chatId: chat.id, branchId: null, mode: "live", by: owner.id });
    await database.db.update(shareLinks).set({ expiresAt: new Date("2026-11-30T23:30:00Z") }).where(eq(shareLinks.id, link.link.id));
    const shareToken = link.url.split("/share/")[1] ?? "";
    await expect(api(guest).share.view({ token: shareToken })).rejects.toThrow("This share link expired on Dec 1, 2026, 00:30 GMT+1.");
    await expect(api(null).share.view({ token: shareToken })).rejects.toThrow("This share link expired on Nov 30, 2026, 23:30 UTC.");
  });
});
