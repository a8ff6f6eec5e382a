import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { billingAccounts, chats, chunks, emailOutbox, handovers, messages, projectMembers, projects, sources, users } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { createCaller } from "@/server/routers/_app";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { HANDOVER_FIRST_YEAR_PRICE_MICROS, HANDOVER_REGULAR_PRICE_MICROS } from "./config";
import { startHandover } from "./start";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

let ipCounter = 0;
const api = (user: Parameters<typeof contextFor>[1], ip = `10.1.${Math.floor(ipCounter / 250)}.${ipCounter++ % 250}`) =>
  createCaller({ ...contextFor(database.db, user), ip });

/** A project with a chat of two messages and one knowledge source with a chunk. */
async function richProject() {
  const { owner, project, members } = await makeProject(database.db, ["editor"]);
  const [chat] = await database.db.insert(chats).values({ projectId: project.id, title: "Plans" }).returning();
  if (!chat) throw new Error("fixture");
  const [q] = await database.db.insert(messages).values({ chatId: chat.id, role: "user", content: "hello" }).returning();
  await database.db.insert(messages).values({ chatId: chat.id, role: "assistant", content: "hi there", parentId: q?.id });
  const [source] = await database.db
    .insert(sources)
    .values({ projectId: project.id, title: "Notes", mediaType: "text/plain", origin: "paste", sizeBytes: 1200, status: "ready" })
    .returning();
  if (!source) throw new Error("fixture");
  await database.db.insert(chunks).values({ sourceId: source.id, projectId: project.id, ordinal: 0, text: "garden soil notes", tokenCount: 3 });
  return { owner, project, editor: members.editor, source };
}

async function start(ownerId: string, projectId: string, over: Partial<Parameters<typeof startHandover>[1]> = {}) {
  const recipient = await makeUser(database.db);
  const started = await startHandover(database.db, {
    projectId,
    fromUserId: ownerId,
    toEmail: recipient.email,
    includeKnowledge: true,
    includeAdapters: true,
    previousOwnerLeaves: false,
    message: "It is yours now",
    ...over,
  });
  return { recipient, ...started };
}

/** The recipient keeps every open invite link and member quota (what the page asks about). */
async function keepAll(recipient: Parameters<typeof api>[0], token: string) {
  const details = (await api(recipient).collab.handoverPreview({ token })).details;
  return {
    invites: (details?.openInvites ?? []).map((i) => ({ inviteId: i.id, keep: true })),
    quotas: (details?.memberQuotas ?? []).map((m) => ({ userId: m.userId, keep: true })),
  };
}

async function member(projectId: string, userId: string) {
  const [row] = await database.db
    .select()
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)));
  return row;
}

describe("handover", () => {
  it("start records a snapshot and the incentive, mails a link and shows email_sent to the owner", async () => {
    const { owner, project } = await richProject();
    const recipient = await makeUser(database.db);
    const shown = await api(owner).collab.startHandover({
      projectId: project.id,
      toEmail: recipient.email.toUpperCase(),
      includeKnowledge: true,
      includeAdapters: false,
      previousOwnerLeaves: false,
      message: "Take good care of it",
    });
    expect(shown).toMatchObject({ state: "email_sent", toEmail: recipient.email, includeAdapters: false });
    expect(shown.snapshot).toMatchObject({ title: "Test project", chats: 1, messages: 2, sources: 1 });
    expect(shown.snapshot.sizeBytes).toBeGreaterThanOrEqual(1200);
    expect(shown.snapshot.adapterList).toEqual([]);
    expect(shown.firstYearPriceMicros).toBe(HANDOVER_FIRST_YEAR_PRICE_MICROS);
    expect(shown.regularPriceMicros).toBe(HANDOVER_REGULAR_PRICE_MICROS);
    expect(JSON.stringify(shown, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).not.toMatch(/token/i);
    const [mail] = await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, recipient.email));
    expect(mail?.text).toMatch(/\/handover\/[A-Za-z0-9_-]{43}/);
    expect(mail?.text).toContain("$96.00");
    expect(mail?.text).toContain("Take good care of it");
    const token = mail?.text.match(/\/handover\/([A-Za-z0-9_-]{43})/)?.[1] ?? "";
    const [row] = await database.db.select().from(handovers).where(eq(handovers.id, shown.id));
    expect(row?.tokenHash).not.toContain(token);
    expect((await api(owner).collab.handover({ projectId: project.id }))?.state).toBe("email_sent");
    // one open handover at a time
    await expect(
      api(owner).collab.startHandover({ projectId: project.id, toEmail: "x@example.com", includeKnowledge: true, includeAdapters: true, previousOwnerLeaves: false, message: "" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("rejects a handover to yourself, by a non-owner, or with a bad email — nothing recorded", async () => {
    const { owner, project, editor } = await richProject();
    const base = { projectId: project.id, includeKnowledge: true, includeAdapters: true, previousOwnerLeaves: false, message: "" };
    await expect(api(owner).collab.startHandover({ ...base, toEmail: owner.email.toUpperCase() })).rejects.toThrow(/already own/);
    await expect(api(owner).collab.startHandover({ ...base, toEmail: "nope" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api(editor ?? null).collab.startHandover({ ...base, toEmail: "a@example.com" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await database.db.select().from(handovers).where(eq(handovers.projectId, project.id))).toEqual([]);
  });

  it("the recipient must be signed in with that verified email; others see no details", async () => {
    const { owner, project } = await richProject();
    const { recipient, token } = await start(owner.id, project.id);
    const anonymous = await api(null).collab.handoverPreview({ token });
    expect(anonymous).toMatchObject({ viewer: "anonymous", details: null, state: "email_sent" });
    const stranger = await makeUser(database.db);
    expect(await api(stranger).collab.handoverPreview({ token })).toMatchObject({ viewer: "wrong_email", details: null });
    await expect(api(stranger).collab.acceptHandover({ token })).rejects.toThrow(/was sent to/);
    await database.db.update(users).set({ emailVerified: null }).where(eq(users.id, recipient.id));
    expect((await api(recipient).collab.handoverPreview({ token })).viewer).toBe("unverified");
    await expect(api(recipient).collab.acceptHandover({ token, decisions: await keepAll(recipient, token) })).rejects.toThrow(/Verify your email/);
    await database.db.update(users).set({ emailVerified: new Date() }).where(eq(users.id, recipient.id));
    const seen = await api(recipient).collab.handoverPreview({ token });
    expect(seen.details).toMatchObject({ projectTitle: "Test project", message: "It is yours now", firstYearPriceMicros: 96_000_000n });
    const [p] = await database.db.select().from(projects).where(eq(projects.id, project.id));
    expect(p?.ownerId).toBe(owner.id);
  });

  it("accept moves owner and payer; the previous owner becomes editor; the first-year price is pending", async () => {
    const { owner, project } = await richProject();
    const { recipient, token } = await start(owner.id, project.id);
    const result = await api(recipient).collab.acceptHandover({ token, decisions: await keepAll(recipient, token) });
    expect(result).toEqual({ projectId: project.id, residualProjectId: null });
    const [p] = await database.db.select().from(projects).where(eq(projects.id, project.id));
    expect(p?.ownerId).toBe(recipient.id);
    expect(await member(project.id, recipient.id)).toMatchObject({ role: "owner", quotaMicros: null });
    expect(await member(project.id, owner.id)).toMatchObject({ role: "editor", quotaMicros: 0n });
    const [account] = await database.db.select().from(billingAccounts).where(eq(billingAccounts.userId, recipient.id));
    expect(account).toMatchObject({ tier: "free", pendingCouponPriceMicros: 96_000_000n });
    const [row] = await database.db.select().from(handovers).where(eq(handovers.projectId, project.id));
    expect(row).toMatchObject({ state: "completed", toUserId: recipient.id });
    expect(row?.acceptedAt).toBeInstanceOf(Date);
    expect(row?.completedAt).toBeInstanceOf(Date);
    // the former owner is now an editor: owner-only procedures are refused, but their panel still shows the outcome
    await expect(api(owner).collab.invites({ projectId: project.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await api(owner).collab.handover({ projectId: project.id }))?.state).toBe("completed");
    expect(await api(recipient).collab.handover({ projectId: project.id })).toBeNull();
    expect((await api(recipient).projects.get({ projectId: project.id })).role).toBe("owner");
    const feed = await api(recipient).collab.activity({ projectId: project.id });
    expect(feed.items[0]?.verb).toBe("handed_over");
    const mails = await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, owner.email));
    expect(mails.some((m) => m.subject.includes("accepted"))).toBe(true);
    // a completed handover cannot be accepted again or cancelled
    await expect(api(recipient).collab.acceptHandover({ token, decisions: await keepAll(recipient, token) })).rejects.toThrow(/already been accepted/);
    await expect(api(recipient).collab.cancelHandover({ projectId: project.id, handoverId: row?.id ?? "" })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("excluded knowledge moves with its chunks to a new project the previous owner keeps; leaving removes them", async () => {
    const { owner, project, source } = await richProject();
    const { recipient, token } = await start(owner.id, project.id, { includeKnowledge: false, previousOwnerLeaves: true });
    const { residualProjectId } = await api(recipient).collab.acceptHandover({ token, decisions: await keepAll(recipient, token) });
    expect(residualProjectId).toBeTruthy();
    const [kept] = await database.db.select().from(projects).where(eq(projects.id, residualProjectId ?? ""));
    expect(kept).toMatchObject({ title: "Test project (kept knowledge)", ownerId: owner.id });
    const [movedSource] = await database.db.select().from(sources).where(eq(sources.id, source.id));
    expect(movedSource?.projectId).toBe(residualProjectId);
    const movedChunks = await database.db.select().from(chunks).where(eq(chunks.sourceId, source.id));
    expect(movedChunks.map((c) => c.projectId)).toEqual([residualProjectId]);
    expect(await member(residualProjectId ?? "", owner.id)).toMatchObject({ role: "owner" });
    expect(await member(project.id, owner.id)).toBeUndefined();
    expect(await database.db.select().from(sources).where(eq(sources.projectId, project.id))).toEqual([]);
    // the chats stayed with the project
    expect(await database.db.select().from(chats).where(eq(chats.projectId, project.id))).toHaveLength(1);
  });

  it("cancelled and expired handovers cannot be accepted; nothing changes", async () => {
    const { owner, project } = await richProject();
    const first = await start(owner.id, project.id);
    await api(owner).collab.cancelHandover({ projectId: project.id, handoverId: first.handover.id });
    expect((await api(owner).collab.handover({ projectId: project.id }))?.state).toBe("cancelled");
    await expect(api(first.recipient).collab.acceptHandover({ token: first.token })).rejects.toThrow(/cancelled/);
    expect((await api(first.recipient).collab.handoverPreview({ token: first.token })).state).toBe("cancelled");

    const second = await start(owner.id, project.id);
    await database.db.update(handovers).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(handovers.id, second.handover.id));
    await expect(api(second.recipient).collab.acceptHandover({ token: second.token })).rejects.toThrow(/expired/);
    expect((await api(owner).collab.handover({ projectId: project.id }))?.state).toBe("expired");
    await expect(api(owner).collab.cancelHandover({ projectId: project.id, handoverId: second.handover.id })).rejects.toMatchObject({ code: "CONFLICT" });

    const [p] = await database.db.select().from(projects).where(eq(projects.id, project.id));
    expect(p?.ownerId).toBe(owner.id);
    expect(await member(project.id, second.recipient.id)).toBeUndefined();
    expect(await database.db.select().from(billingAccounts).where(eq(billingAccounts.userId, second.recipient.id))).toEqual([]);
  });

  it("two accepts at once: exactly one wins", async () => {
    const { owner, project } = await richProject();
    const { recipient, token } = await start(owner.id, project.id, { includeKnowledge: false });
    // Decisions first: an await between the calls would let an early refusal go unhandled.
    const decisions = await keepAll(recipient, token);
    const results = await Promise.allSettled([
      api(recipient).collab.acceptHandover({ token, decisions }),
      api(recipient).collab.acceptHandover({ token, decisions }),
      api(recipient).collab.acceptHandover({ token, decisions }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(String(r.reason)).toMatch(/already been accepted/);
    // exactly one kept-knowledge project was made
    const kept = await database.db.select().from(projects).where(eq(projects.title, "Test project (kept knowledge)"));
    const mine = kept.filter((k) => k.ownerId === owner.id);
    expect(mine).toHaveLength(1);
  });

  it("cancel and accept at once: exactly one happens", async () => {
    const { owner, project } = await richProject();
    const { recipient, token, handover } = await start(owner.id, project.id);
    const decisions = await keepAll(recipient, token);
    const [accepted, cancelled] = await Promise.allSettled([
      api(recipient).collab.acceptHandover({ token, decisions }),
      api(owner).collab.cancelHandover({ projectId: project.id, handoverId: handover.id }),
    ]);
    expect([accepted.status, cancelled.status].filter((s) => s === "fulfilled")).toHaveLength(1);
    const [row] = await database.db.select().from(handovers).where(eq(handovers.id, handover.id));
    const [p] = await database.db.select().from(projects).where(eq(projects.id, project.id));
    if (accepted.status === "fulfilled") {
      expect(row?.state).toBe("completed");
      expect(p?.ownerId).toBe(recipient.id);
    } else {
      expect(row?.state).toBe("cancelled");
      expect(p?.ownerId).toBe(owner.id);
      expect(await member(project.id, recipient.id)).toBeUndefined();
    }
  });

  it("two starts at once leave one open handover", async () => {
    const { owner, project } = await richProject();
    const base = { projectId: project.id, includeKnowledge: true, includeAdapters: true, previousOwnerLeaves: false, message: "" };
    const results = await Promise.allSettled([
      api(owner).collab.startHandover({ ...base, toEmail: "first@example.com" }),
      api(owner).collab.startHandover({ ...base, toEmail: "second@example.com" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect(rejected?.status === "rejected" && String(rejected.reason)).toMatch(/already waiting/);
    expect(await database.db.select().from(handovers).where(eq(handovers.projectId, project.id))).toHaveLength(1);
  });

  it("tampered and truncated handover tokens are refused plainly", async () => {
    const { owner, project } = await richProject();
    const { recipient, token } = await start(owner.id, project.id);
    await expect(api(recipient).collab.acceptHandover({ token: token.slice(0, 30) })).rejects.toThrow(/not valid/);
    await expect(api(recipient).collab.acceptHandover({ token: `${token.slice(0, -2)}zz` })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const ip = "198.51.100.1";
    for (let i = 0; i < 20; i++) await expect(api(null, ip).collab.handoverPreview({ token: `g${i}` })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api(null, ip).collab.handoverPreview({ token: "again" })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    await expect(api(recipient, ip).collab.acceptHandover({ token })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    const [p] = await database.db.select().from(projects).where(eq(projects.id, project.id));
    expect(p?.ownerId).toBe(owner.id);
  });
});
