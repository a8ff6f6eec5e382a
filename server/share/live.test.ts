import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { branches, messages, rateLimits } from "@/db/schema";
import { createChat } from "@/server/chat/chats";
import { answerFinished } from "@/server/chat/stream/registry";
import { startChatTurn } from "@/server/chat/stream/start";
import { chatEnvironment } from "@/testing/chat-environment";
import { newRequestId } from "@/testing/chat-turns";
import { makeProject } from "@/testing/fixtures";
import { createShareLink, revokeShareLink } from "./links";
import { openShareFeed, type ShareFeedEvent } from "./live";

const env = chatEnvironment();
const db = () => env.database.db;
let address = 0;
const ip = () => `10.7.${Math.floor(address / 250)}.${(address++ % 250) + 1}`;
const tokenOf = (url: string) => url.split("/share/")[1] ?? "";

/** Reads SSE `data:` events from the feed until `until` says stop (or the feed ends). */
async function readUntil(feed: ReadableStream<Uint8Array>, until: (events: ShareFeedEvent[]) => boolean, timeoutMs = 20_000): Promise<ShareFeedEvent[]> {
  const reader = feed.getReader();
  const decoder = new TextDecoder();
  const events: ShareFeedEvent[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline && !until(events)) {
      const { value, done } = await Promise.race([
        reader.read(),
        new Promise<{ value: undefined; done: true }>((r) => setTimeout(() => r({ value: undefined, done: true }), deadline - Date.now())),
      ]);
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf("\n\n");
      while (cut >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        for (const line of frame.split("\n")) if (line.startsWith("data: ")) events.push(JSON.parse(line.slice(6)));
        cut = buffer.indexOf("\n\n");
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return events;
}

async function sharedChat(mode: "live" | "snapshot" = "live") {
  const { owner, project } = await makeProject(db());
  const chat = await createChat(db(), { projectId: project.id, by: owner.id, title: "Orchard" });
  const link = await createShareLink(db(), { projectId: project.id, chatId: chat.id, branchId: chat.mainBranchId, mode, by: owner.id });
  return { owner, project, chat, link, token: tokenOf(link.url) };
}

describe("a live share link's feed", () => {
  it("follows a new answer through its stream ledger, text and all, then says the chat changed", { timeout: 90_000 }, async () => {
    const { owner, chat, token } = await sharedChat();
    const feed = await openShareFeed(db(), { token, ip: ip() });
    // a cloud answer the fake upstream writes slowly (about ten seconds), so the feed sees it being written
    const turn = await startChatTurn(db(), { userId: owner.id, request: { tier: "cloud", requestId: newRequestId(), chatId: chat.id, parentId: null, content: "[[slow]] When to prune apples?" } });
    const events = await readUntil(feed, (e) => e.some((x) => x.type === "answer") && e.at(-1)?.type === "changed" && e.some((x) => x.type === "content"), 45_000);
    await answerFinished(turn.stream.id);
    const answerAt = events.findIndex((e) => e.type === "answer");
    expect(events[answerAt]).toEqual({ type: "answer", messageId: turn.stream.assistantMessageId });
    const pieces = events.flatMap((e) => (e.type === "content" ? [e.text] : []));
    expect(pieces.length).toBeGreaterThan(3); // piece by piece, not one block at the end
    const [saved] = await db().select({ content: messages.content, status: messages.status }).from(messages).where(eq(messages.id, turn.stream.assistantMessageId ?? ""));
    expect(saved?.status).toBe("complete");
    expect(pieces.join("")).toBe(saved?.content);
    expect(events.filter((e) => e.type === "content").every((e) => e.type === "content" && e.messageId === turn.stream.assistantMessageId)).toBe(true);
    const [branch] = await db().select().from(branches).where(eq(branches.id, chat.mainBranchId));
    expect(branch?.tipMessageId).toBe(turn.stream.assistantMessageId);
    expect(events.at(-1)).toEqual({ type: "changed" });
  });

  it("an answer on a branch the link does not show is not passed on", async () => {
    const { owner, project, chat } = await sharedChat();
    // a link to another chat's branch in the same project: this chat's answers are not its business
    const other = await createChat(db(), { projectId: project.id, by: owner.id, title: "Other" });
    const link = await createShareLink(db(), { projectId: project.id, chatId: other.id, branchId: other.mainBranchId, mode: "live", by: owner.id });
    const feed = await openShareFeed(db(), { token: tokenOf(link.url), ip: ip() });
    const turn = await startChatTurn(db(), { userId: owner.id, request: { tier: "auto", requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Secret?" } });
    await answerFinished(turn.stream.id);
    const events = await readUntil(feed, () => false, 2_500);
    expect(events).toEqual([]);
  });

  it("ending the link closes the feed with the reason; a snapshot has no feed; bad tokens count as guesses", async () => {
    const { owner, project, link, token } = await sharedChat();
    const feed = await openShareFeed(db(), { token, ip: ip() });
    await revokeShareLink(db(), { projectId: project.id, linkId: link.link.id, by: owner.id, role: "owner" });
    const events = await readUntil(feed, (e) => e.some((x) => x.type === "gone"), 12_000);
    expect(events.at(-1)).toEqual({ type: "gone", code: "gone:share_revoked", message: "This share link was ended by the people who shared it." });
    await expect(openShareFeed(db(), { token, ip: ip() })).rejects.toMatchObject({ code: "gone:share_revoked" });

    const snap = await sharedChat("snapshot");
    await expect(openShareFeed(db(), { token: snap.token, ip: ip() })).rejects.toMatchObject({ code: "bad_request:share_snapshot" });

    const guesser = ip();
    await expect(openShareFeed(db(), { token: "A".repeat(43), ip: guesser })).rejects.toMatchObject({ code: "not_found:share_link" });
    const [limit] = await db().select().from(rateLimits).where(eq(rateLimits.key, `share-token:${guesser}`));
    expect(limit).toBeDefined();
  });
});
