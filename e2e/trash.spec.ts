import { expect, type Page } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, questions, signUpPatiently, test, trpcCall } from "./support/chat-helpers";

/**
 * The trash journey (docs/chat.md#trash): delete a subtree from the chat, see it gone from the
 * thread, the branch menu, the canvas and search, restore it from the Trash tab, find it whole —
 * its branch, its comment and its place on the canvas.
 */

test.setTimeout(300_000);

async function trpcQuery<T>(page: Page, path: string, input: Record<string, unknown>): Promise<T> {
  const response = await page.request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: unknown };
  if (!response.ok() || !body.result?.data) throw new Error(`${path} failed: ${response.status()} ${JSON.stringify(body.error)}`);
  return body.result.data.json as T;
}

type Thread = { branch: { id: string }; branches: { id: string; title: string; tipMessageId: string | null }[]; messages: { id: string; content: string }[] };
type Board = { messages: { id: string }[]; positions: { key: string; x: number; y: number }[] };

async function openCanvas(page: Page, projectId: string) {
  await expect(async () => {
    await page.goto(`/projects/${projectId}/canvas`);
    await expect(page.getByRole("application", { name: /Canvas board/ })).toBeVisible({ timeout: 20_000 });
  }).toPass({ timeout: 90_000 });
}

test("delete a subtree, see it gone everywhere, restore it from the trash and find it whole", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page, "Trash journey");
  const p = { projectId: project.id };
  await openChatTab(page, project.id);
  await ask(page, "What grows in shade?");
  await expectAnswerDone(answers(page).first());
  await ask(page, "Which of those flower?");
  await expect(questions(page)).toHaveCount(2);
  await expectAnswerDone(answers(page).nth(1));
  // a branch born inside the subtree: fork at the second answer and ask on it
  await answers(page).nth(1).getByRole("button", { name: "Fork" }).click();
  await ask(page, "And which of them like full sun?");
  await expect(questions(page)).toHaveCount(3);
  await expectAnswerDone(answers(page).nth(2));

  const [chat] = await trpcQuery<{ id: string }[]>(page, "chat.list", p);
  if (!chat) throw new Error("no chat");
  const before = await trpcQuery<Thread>(page, "chat.thread", { ...p, chatId: chat.id });
  expect(before.branches).toHaveLength(2);
  const root = before.messages[2];
  if (!root) throw new Error("no second question");
  expect(root.content).toBe("Which of those flower?");
  // a comment on the subtree's root and a place of its own on the canvas
  await trpcCall(page, "canvas.addComment", { ...p, targetKey: `m:${root.id}`, body: "Ask the nursery about hellebores" });
  await trpcCall(page, "canvas.moveNodes", { ...p, moves: [{ key: `m:${root.id}`, x: 640, y: 360 }] });

  // Move to trash on the second question: it and everything below it (4 messages, the fork) go
  await questions(page).nth(1).getByRole("button", { name: "Move to trash" }).click();
  const moved = page.getByRole("status").filter({ hasText: "Moved to the trash" });
  await expect(moved).toContainText("4 messages");
  await expect(questions(page)).toHaveCount(1);
  await expect(answers(page)).toHaveCount(1);
  await expect(page.getByText("Which of those flower?")).toHaveCount(0);
  await page.screenshot({ path: "screenshots/trash-moved.png", fullPage: true });

  const after = await trpcQuery<Thread>(page, "chat.thread", { ...p, chatId: chat.id });
  expect(after.branches).toHaveLength(1);
  expect(after.messages).toHaveLength(2);
  const hits = await trpcQuery<unknown[]>(page, "search.projectMessages", { ...p, query: "full sun" });
  expect(hits).toEqual([]);
  await openCanvas(page, project.id);
  await expect(page.getByTestId("canvas-message")).toHaveCount(2);

  // the Trash tab: what, who, when, days left
  await page.goto(`/projects/${project.id}/trash`);
  const item = page.getByRole("listitem", { name: "Which of those flower?" });
  await expect(item).toBeVisible({ timeout: 60_000 });
  await expect(item).toContainText("4 messages");
  await expect(item).toContainText("30 days left");
  await expect(item).toContainText("Deleted by");
  await page.screenshot({ path: "screenshots/trash-page.png", fullPage: true });

  await item.getByRole("button", { name: "Restore" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Restored 4 messages" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "The trash is empty" })).toBeVisible();
  await page.screenshot({ path: "screenshots/trash-empty.png", fullPage: true });

  // whole again: the thread through the restored question, both branches, the comment, the canvas place
  await page.getByRole("link", { name: "Open it" }).click();
  await expect(questions(page).filter({ hasText: "Which of those flower?" })).toBeVisible({ timeout: 60_000 });
  const restored = await trpcQuery<Thread>(page, "chat.thread", { ...p, chatId: chat.id });
  expect(restored.branches.map((b) => b.id).sort()).toEqual(before.branches.map((b) => b.id).sort());
  expect(restored.branches.map((b) => b.tipMessageId).sort()).toEqual(before.branches.map((b) => b.tipMessageId).sort());
  const comments = await trpcQuery<{ body: string }[]>(page, "canvas.comments", { ...p, targetKey: `m:${root.id}` });
  expect(comments.map((c) => c.body)).toEqual(["Ask the nursery about hellebores"]);
  const board = await trpcQuery<Board>(page, "canvas.board", p);
  expect(board.positions.find((x) => x.key === `m:${root.id}`)).toMatchObject({ x: 640, y: 360 });
  await openCanvas(page, project.id);
  await expect(page.getByTestId("canvas-message")).toHaveCount(6);
  expect((await trpcQuery<unknown[]>(page, "search.projectMessages", { ...p, query: "full sun" })).length).toBeGreaterThan(0);
});
