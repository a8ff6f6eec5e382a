import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { billingAccounts, emailOutbox, handovers, notifications, projects, streamReaders } from "@/db/schema";
import { ensureBillingAccount } from "@/server/billing/accounts";
import { sendBudgetAlerts } from "@/server/billing/alerts";
import { createChat } from "@/server/chat/chats";
import { tailLedger } from "@/server/chat/stream/reader";
import { closeReader, openReader } from "@/server/chat/stream/readers";
import { answerFinished } from "@/server/chat/stream/registry";
import { startChatTurn } from "@/server/chat/stream/start";
import { acceptInvite, createInvite } from "@/server/collab/invites";
import { startHandover } from "@/server/handover/start";
import { createCaller } from "@/server/routers/_app";
import { chatEnvironment } from "@/testing/chat-environment";
import { newRequestId, readSse, runTurn } from "@/testing/chat-turns";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { sendDigests } from "./digest";
import { setNotificationPreference } from "./notify";

const env = chatEnvironment();
const db = () => env.database.db;
const bellOf = (userId: string) => db().select().from(notifications).where(eq(notifications.userId, userId)).orderBy(notifications.createdAt);
const mailsTo = (to: string) => db().select().from(emailOutbox).where(eq(emailOutbox.to, to));
let ip = 0;
const nextIp = () => `10.9.${Math.floor(ip / 250)}.${ip++ % 250}`;

async function joinByInvite(projectId: string, ownerId: string) {
  const joiner = await makeUser(db(), { name: "Nadia" });
  const { token } = await createInvite(db(), { projectId, hostId: ownerId, role: "editor", quotaMicros: 1_000_000n, expiresInHours: 24 });
  await acceptInvite(db(), { token, userId: joiner.id, ip: nextIp() });
  return joiner;
}

describe("members joining", () => {
  it("the owner hears that someone joined (bell by default), the joiner does not; nowhere means nothing; mail means a digest", async () => {
    const { owner, project } = await makeProject(db());
    const joiner = await joinByInvite(project.id, owner.id);
    const bell = await bellOf(owner.id);
    expect(bell.map((n) => [n.kind, n.category, n.mailPending])).toEqual([["member_joined", "member", false]]);
    expect(bell[0]?.title).toBe(`Nadia joined “${project.title}”`);
    expect(bell[0]?.href).toBe(`/projects/${project.id}/members`);
    expect(bell[0]?.projectId).toBe(project.id);
    expect(await bellOf(joiner.id)).toEqual([]);

    await setNotificationPreference(db(), { userId: owner.id, category: "member", channel: "none" });
    await joinByInvite(project.id, owner.id);
    expect(await bellOf(owner.id)).toHaveLength(1);

    await setNotificationPreference(db(), { userId: owner.id, category: "member", channel: "mail" });
    await joinByInvite(project.id, owner.id);
    expect((await bellOf(owner.id)).map((n) => n.mailPending)).toEqual([false, true]);
    await sendDigests(db(), { quietMs: 0 });
    const [digest] = await mailsTo(owner.email);
    expect(digest?.subject).toBe(`Arbor: Nadia joined “${project.title}”`);
    expect(digest?.text).toMatch(/activity \(comments, mentions, new members, finished answers\) mails are on/);
  });
});

describe("handovers", () => {
  async function offer(over: { recipientChannel?: "app" | "mail" | "none" } = {}) {
    const { owner, project } = await makeProject(db());
    const recipient = await makeUser(db(), { name: "Rosa" });
    if (over.recipientChannel) await setNotificationPreference(db(), { userId: recipient.id, category: "handover", channel: over.recipientChannel });
    const started = await startHandover(db(), {
      projectId: project.id,
      fromUserId: owner.id,
      toEmail: recipient.email,
      includeKnowledge: true,
      includeAdapters: true,
      previousOwnerLeaves: false,
      message: "",
    });
    return { owner, project, recipient, ...started };
  }

  it("an offer reaches a recipient with an account in the bell (never the token) and by its own mail, not a digest", async () => {
    const { owner, recipient, project } = await offer();
    const [note] = await bellOf(recipient.id);
    expect(note).toMatchObject({ kind: "handover_offered", category: "handover", mailPending: false, href: null });
    expect(note?.title).toContain(project.title);
    expect((await mailsTo(recipient.email)).map((m) => m.subject)).toEqual([expect.stringContaining("wants to hand over")]);
    expect(await bellOf(owner.id)).toEqual([]);
    // "nowhere": neither the bell nor the mail
    const quiet = await offer({ recipientChannel: "none" });
    expect(await bellOf(quiet.recipient.id)).toEqual([]);
    expect(await mailsTo(quiet.recipient.email)).toEqual([]);
  });

  it("declined: only the addressee can, nothing changes but the state, and the owner hears it", async () => {
    const { owner, project, recipient, token, handover } = await offer({ recipientChannel: "app" });
    const stranger = await makeUser(db());
    await expect(createCaller({ ...contextFor(db(), stranger), ip: nextIp() }).collab.declineHandover({ token })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createCaller({ ...contextFor(db(), null), ip: nextIp() }).collab.declineHandover({ token })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await createCaller({ ...contextFor(db(), recipient), ip: nextIp() }).collab.declineHandover({ token })).toEqual({ projectId: project.id, state: "declined" });
    const [row] = await db().select().from(handovers).where(eq(handovers.id, handover.id));
    expect(row?.state).toBe("declined");
    expect(row?.declinedAt).toBeInstanceOf(Date);
    const [p] = await db().select().from(projects).where(eq(projects.id, project.id));
    expect(p?.ownerId).toBe(owner.id);
    const [note] = await bellOf(owner.id);
    expect(note).toMatchObject({ kind: "handover_declined", category: "handover", mailPending: false, href: `/projects/${project.id}/settings` });
    expect((await mailsTo(owner.email)).map((m) => m.subject)).toEqual([expect.stringMatching(/declined/)]);
    // a declined handover can be neither declined again nor accepted
    await expect(createCaller({ ...contextFor(db(), recipient), ip: nextIp() }).collab.declineHandover({ token })).rejects.toThrow(/declined/);
    await expect(createCaller({ ...contextFor(db(), recipient), ip: nextIp() }).collab.acceptHandover({ token })).rejects.toThrow(/declined/);
  });

  it("accepted: the previous owner hears it in the bell as well as by mail", async () => {
    const { owner, project, recipient, token } = await offer();
    await createCaller({ ...contextFor(db(), recipient), ip: nextIp() }).collab.acceptHandover({ token, decisions: { invites: [], quotas: [] } });
    const notes = await bellOf(owner.id);
    expect(notes.map((n) => [n.kind, n.href, n.mailPending])).toEqual([["handover_accepted", `/projects/${project.id}`, false]]);
    expect((await mailsTo(owner.email)).some((m) => m.subject.includes("accepted"))).toBe(true);
  });
});

describe("budget alerts follow the person's choice", () => {
  async function spend(channel: "app" | "mail" | "none" | null) {
    const me = await makeUser(db());
    if (channel) await setNotificationPreference(db(), { userId: me.id, category: "billing", channel });
    await ensureBillingAccount(db(), me.id);
    const [account] = await db()
      .update(billingAccounts)
      .set({ freeAllowanceMicros: 100_000n, periodSpentMicros: 85_000n })
      .where(eq(billingAccounts.userId, me.id))
      .returning();
    if (!account) throw new Error("no account");
    await sendBudgetAlerts(db(), account);
    await sendDigests(db(), { quietMs: 0 });
    return { me, bell: await bellOf(me.id), mails: await mailsTo(me.email) };
  }

  it("nowhere: no bell and no mail; in Arbor: the bell only; by default: the bell and a digest mail", async () => {
    const none = await spend("none");
    expect(none.bell).toEqual([]);
    expect(none.mails).toEqual([]);
    const app = await spend("app");
    expect(app.bell.map((n) => [n.kind, n.category, n.href])).toEqual([["budget_80", "billing", "/billing"]]);
    expect(app.mails).toEqual([]);
    const byDefault = await spend(null);
    expect(byDefault.bell.map((n) => n.kind)).toEqual(["budget_80"]);
    expect(byDefault.mails.map((m) => m.subject)).toEqual(["Arbor: You have used 80% of your free monthly allowance"]);
    expect(byDefault.mails[0]?.headers?.["List-Unsubscribe"]).toMatch(/^<.+>$/);
  });
});

describe("an answer finished while you were away", () => {
  async function chatOf() {
    const { owner, project } = await makeProject(db());
    const chat = await createChat(db(), { projectId: project.id, by: owner.id, title: "Compost" });
    return { owner, project, chat };
  }

  it("with no reader of the stream open when it ends, the asker's bell gets it, linking to the answer", async () => {
    const { owner, project, chat } = await chatOf();
    const turn = await runTurn(db(), owner.id, { chatId: chat.id, parentId: null, content: "Is compost good?" });
    const notes = await bellOf(owner.id);
    expect(notes.map((n) => [n.kind, n.category])).toEqual([["answer_finished", "answer"]]);
    expect(notes[0]?.title).toBe("Your answer in “Compost” is ready");
    expect(notes[0]?.href).toBe(`/projects/${project.id}/chat/${chat.id}?message=${turn.stream.assistantMessageId}`);
  });

  it("someone who kept reading it hears nothing; their reader's row is gone once the stream ends", async () => {
    const { owner, chat } = await chatOf();
    const turn = await startChatTurn(db(), { userId: owner.id, request: { tier: "auto", requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Is compost good?" } });
    const reader = await openReader(db(), { streamId: turn.stream.id, userId: owner.id });
    const frames = await readSse(tailLedger(db(), { streamId: turn.stream.id, afterSeq: 0, reader }));
    await answerFinished(turn.stream.id);
    expect(frames.at(-1)?.data.type).toBe("end");
    expect(await bellOf(owner.id)).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await db().select().from(streamReaders).where(and(eq(streamReaders.streamId, turn.stream.id), eq(streamReaders.userId, owner.id)))).toEqual([]);
  });

  it("a reader of a stream produced elsewhere is written to the table at once, for the producing instance to see", async () => {
    const { owner, chat } = await chatOf();
    const turn = await runTurn(db(), owner.id, { chatId: chat.id, parentId: null, content: "Is compost good?" });
    // The producer has finished here, so this process no longer runs it: as a reader on another instance sees it.
    const reader = await openReader(db(), { streamId: turn.stream.id, userId: owner.id });
    const rows = () => db().select().from(streamReaders).where(and(eq(streamReaders.streamId, turn.stream.id), eq(streamReaders.userId, owner.id)));
    expect(await rows()).toHaveLength(1);
    await closeReader(db(), reader);
    expect(await rows()).toEqual([]);
  });

  it("another member reading does not count as the asker being there; nowhere silences it", async () => {
    const { owner, project, members } = await makeProject(db(), ["editor"]);
    const editor = members.editor;
    if (!editor) throw new Error("no editor");
    const chat = await createChat(db(), { projectId: project.id, by: owner.id, title: "Beds" });
    const turn = await startChatTurn(db(), { userId: owner.id, request: { tier: "auto", requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Raised beds?" } });
    const reader = await openReader(db(), { streamId: turn.stream.id, userId: editor.id });
    await readSse(tailLedger(db(), { streamId: turn.stream.id, afterSeq: 0, reader }));
    await answerFinished(turn.stream.id);
    expect((await bellOf(owner.id)).map((n) => n.kind)).toEqual(["answer_finished"]);
    expect(await bellOf(editor.id)).toEqual([]);

    await setNotificationPreference(db(), { userId: owner.id, category: "answer", channel: "none" });
    await runTurn(db(), owner.id, { chatId: chat.id, parentId: turn.stream.assistantMessageId, content: "And paths?" });
    expect(await bellOf(owner.id)).toHaveLength(1);
  });
});
