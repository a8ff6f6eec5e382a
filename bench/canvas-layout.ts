/**
 * Canvas at scale (docs/canvas.md#benchmarks): the tidy-tree layout and branch colouring of a
 * board with 5,000 message nodes against the same shape with 500 (target:
 * layout ≤ 100 ms), and the board query that feeds it, on PGlite.
 */
import { colorBranches } from "../components/canvas/branch-colors";
import { type LayoutMessage, layoutBoard } from "../components/canvas/layout";

type Shape = { chats: { id: string }[]; messages: LayoutMessage[]; branches: Parameters<typeof colorBranches>[1] };

/** Chats of question/answer turns that fork now and then, like real use: deep, mostly linear, some bushy. */
function syntheticBoard(total: number, seed = 7): Shape {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const chatCount = Math.max(1, Math.round(total / 250));
  const chats = Array.from({ length: chatCount }, (_, i) => ({ id: `chat-${i}` }));
  const messages: LayoutMessage[] = [];
  const branches: Shape["branches"] = [];
  const tips = new Map<string, string[]>();
  for (let i = 0; i < total; i++) {
    const chatId = chats[i % chatCount]?.id ?? "chat-0";
    const chatTips = tips.get(chatId) ?? [];
    let parentId: string | null = null;
    if (chatTips.length > 0) {
      // 8% of turns fork from an older message on the branch; the rest continue a tip
      const index = Math.floor(random() * chatTips.length);
      parentId = chatTips[index] ?? null;
      if (random() < 0.08 && parentId) {
        const ancestors = messages.filter((m) => m.chatId === chatId);
        parentId = ancestors[Math.floor(random() * ancestors.length)]?.id ?? parentId;
        chatTips.push(`m${i}`);
      } else {
        chatTips[index] = `m${i}`;
      }
    } else {
      chatTips.push(`m${i}`);
    }
    tips.set(chatId, chatTips);
    messages.push({ id: `m${i}`, chatId, parentId, createdAt: i * 1000 });
  }
  for (const [chatId, chatTips] of tips) {
    chatTips.forEach((tip, n) => {
      branches.push({ id: `${chatId}-b${n}`, chatId, tipMessageId: tip, forkMessageId: null, createdAt: new Date(n), updatedAt: new Date(n), status: "active" });
    });
  }
  return { chats, messages, branches };
}

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeLayout(shape: Shape, runs: number) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    layoutBoard({ chats: shape.chats, messages: shape.messages });
    colorBranches(shape.messages, shape.branches);
    times.push(performance.now() - started);
  }
  return median(times);
}

async function timeBoardQuery(total: number) {
  const { createTestDatabase } = await import("../testing/database");
  const { makeProject } = await import("../testing/fixtures");
  const { getBoard } = await import("../server/canvas/board");
  const { chats, messages } = await import("../db/schema");
  const database = await createTestDatabase();
  try {
    const { project, owner } = await makeProject(database.db);
    const shape = syntheticBoard(total);
    const chatIds = new Map<string, string>();
    for (const c of shape.chats) {
      const [row] = await database.db.insert(chats).values({ projectId: project.id, title: c.id }).returning({ id: chats.id });
      if (row) chatIds.set(c.id, row.id);
    }
    const ids = new Map<string, string>();
    for (const m of shape.messages) ids.set(m.id, crypto.randomUUID());
    for (let i = 0; i < shape.messages.length; i += 500) {
      await database.db.insert(messages).values(
        shape.messages.slice(i, i + 500).map((m) => ({
          id: ids.get(m.id),
          chatId: chatIds.get(m.chatId) ?? "",
          parentId: m.parentId ? (ids.get(m.parentId) ?? null) : null,
          role: Number(m.id.slice(1)) % 2 === 0 ? ("user" as const) : ("assistant" as const),
          content: `Message ${m.id}: ${"lorem ipsum dolor sit amet ".repeat(12)}`,
          authorId: owner.id,
          createdAt: new Date(Date.UTC(2026, 0, 1) + Number(m.createdAt)),
        })),
      );
    }
    await getBoard(database.db, { projectId: project.id }); // warm
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await getBoard(database.db, { projectId: project.id });
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    await database.close();
  }
}

export async function run() {
  const small = syntheticBoard(500);
  const large = syntheticBoard(5000);
  timeLayout(small, 3); // warm the JIT
  const smallMs = timeLayout(small, 15);
  const largeMs = timeLayout(large, 15);
  console.log(`layout + branch colours, 500 messages:   ${smallMs.toFixed(1)} ms (median of 15)`);
  console.log(`layout + branch colours, 5,000 messages: ${largeMs.toFixed(1)} ms (median of 15) — target ≤ 100 ms: ${largeMs <= 100 ? "met" : "MISSED"}`);
  console.log(`ratio 5,000 / 500: ${(largeMs / smallMs).toFixed(1)}× for 10× the nodes`);

  const smallQuery = await timeBoardQuery(500);
  const largeQuery = await timeBoardQuery(5000);
  console.log(`canvas.board query on PGlite, 500 messages:   ${smallQuery.toFixed(1)} ms`);
  console.log(`canvas.board query on PGlite, 5,000 messages: ${largeQuery.toFixed(1)} ms (ratio ${(largeQuery / smallQuery).toFixed(1)}×)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
