import type { Db } from "@/db/client";
import { branches, chats, messages } from "@/db/schema";

/**
 * Test data for the canvas: a chat with a fork, written straight into the chat
 * tables (the canvas only reads them). Used by Vitest and the benchmark.
 *
 *   u1 ─ a1 ─ u2 ─ a2          branch "Main" (tip a2)
 *               └─ a2b         branch "Fork" (tip a2b, forked at u2)
 */
export async function seedForkedChat(db: Db, args: { projectId: string; authorId: string; title?: string }) {
  const [chat] = await db.insert(chats).values({ projectId: args.projectId, title: args.title ?? "Seeded chat", createdBy: args.authorId }).returning();
  if (!chat) throw new Error("chat insert returned nothing");
  const base = Date.now() - 60_000;
  const add = async (parentId: string | null, role: "user" | "assistant", content: string, offset: number) => {
    const [m] = await db
      .insert(messages)
      .values({
        chatId: chat.id,
        parentId,
        role,
        content,
        authorId: role === "user" ? args.authorId : null,
        tier: role === "assistant" ? "local" : null,
        createdAt: new Date(base + offset * 1000),
      })
      .returning();
    if (!m) throw new Error("message insert returned nothing");
    return m;
  };
  const u1 = await add(null, "user", "What grows well in shade?", 1);
  const a1 = await add(u1.id, "assistant", "Ferns, hostas and hellebores all like shade.", 2);
  const u2 = await add(a1.id, "user", "Which of those flower?", 3);
  const a2 = await add(u2.id, "assistant", "Hellebores flower in late winter.", 4);
  const a2b = await add(u2.id, "assistant", "Hostas flower in summer, hellebores in winter.", 5);
  const [main] = await db
    .insert(branches)
    .values({ chatId: chat.id, tipMessageId: a2.id, title: "Main", createdBy: args.authorId, createdAt: new Date(base), updatedAt: new Date(base + 4000) })
    .returning();
  const [fork] = await db
    .insert(branches)
    .values({
      chatId: chat.id,
      tipMessageId: a2b.id,
      forkMessageId: u2.id,
      parentBranchId: main?.id,
      title: "Fork",
      createdBy: args.authorId,
      createdAt: new Date(base + 5000),
      updatedAt: new Date(base + 5000),
    })
    .returning();
  if (!main || !fork) throw new Error("branch insert returned nothing");
  return { chat, messages: { u1, a1, u2, a2, a2b }, branches: { main, fork } };
}
