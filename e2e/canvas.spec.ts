import { type Browser, expect, type Locator, type Page, test } from "@playwright/test";
import { PASSWORD, uniqueEmail } from "./support/auth";
import { answers, ask, expectAnswerDone, openChatTab, questions } from "./support/chat-helpers";

/**
 * The canvas journeys (docs/canvas.md): a fork made in the chat shows as two branches;
 * nodes stay where they are dragged; people draw labelled edges and comment;
 * commenters and viewers get exactly their rights.
 */

/**
 * Sign up, waiting for the form to hydrate first: on the shared dev server
 * (2 cores, everyone's edits recompiling) a click before hydration submits
 * the plain HTML form and the test stalls.
 */
async function signUp(page: Page, email = uniqueEmail("canvas")) {
  await page.goto("/sign-up");
  await page.waitForFunction(() => {
    const form = document.querySelector("form");
    return !!form && Object.keys(form).some((k) => k.startsWith("__react"));
  });
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/dashboard/, { timeout: 40_000 });
  return { email };
}

async function newPerson(browser: Browser, prefix: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUp(page, uniqueEmail(prefix));
  return { context, page };
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/canvas-${name}.png` });
}

function messageNodes(page: Page): Locator {
  return page.getByTestId("canvas-message");
}

function flowNode(page: Page, key: string): Locator {
  return page.locator(`.react-flow__node[data-id="${key}"]`);
}

async function trpc<T>(page: Page, path: string, input: Record<string, unknown>): Promise<T> {
  const response = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: unknown };
  if (!response.ok() || !body.result?.data) throw new Error(`${path} failed: ${response.status()} ${JSON.stringify(body.error)}`);
  return body.result.data.json as T;
}

async function trpcQuery<T>(page: Page, path: string, input: Record<string, unknown>): Promise<T> {
  const response = await page.request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: unknown };
  if (!response.ok() || !body.result?.data) throw new Error(`${path} failed: ${response.status()} ${JSON.stringify(body.error)}`);
  return body.result.data.json as T;
}

/** One turn through POST /api/chat (the same endpoint the chat page uses); returns the ids from its first event. */
async function turn(page: Page, body: { chatId: string; parentId: string | null; content: string; branchId?: string }) {
  const response = await page.request.post("/api/chat", {
    data: { requestId: `canvas-${Math.random().toString(36).slice(2)}`, tier: "local", ...body },
    timeout: 60_000,
  });
  expect(response.ok()).toBe(true);
  const events = (await response.text())
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => JSON.parse(line.slice(5)) as Record<string, string>);
  const first = events[0];
  if (!first?.userMessageId || !first.assistantMessageId || !first.branchId) throw new Error(`unexpected first event ${JSON.stringify(first)}`);
  return { userMessageId: first.userMessageId, assistantMessageId: first.assistantMessageId, branchId: first.branchId };
}

/**
 * A chat with two branches — Q1 → A1 → Q2 → A2, then a fork at A1 → Q3 → A3 —
 * made the way a person does it: ask twice in the chat page, press Fork on
 * the first answer, ask again on the new branch.
 */
async function chatWithForkThroughTheChatPage(page: Page, projectId: string) {
  await openChatTab(page, projectId);
  await ask(page, "What grows in shade?");
  await expectAnswerDone(answers(page).first());
  await ask(page, "Which of those flower?");
  await expect(questions(page)).toHaveCount(2);
  await expectAnswerDone(answers(page).nth(1));
  await answers(page).first().getByRole("button", { name: "Fork" }).click();
  // the fork shows the thread up to the first answer; the next question continues from there
  await expect(questions(page)).toHaveCount(1);
  await ask(page, "And in full sun?");
  await expect(questions(page)).toHaveCount(2);
  await expect(questions(page).nth(1)).toContainText("full sun");
  await expectAnswerDone(answers(page).nth(1));
}

async function openCanvas(page: Page, projectId: string, query = "") {
  // a page still settling (dev-server reloads) can abort a navigation; try again rather than fail
  await expect(async () => {
    await page.goto(`/projects/${projectId}/canvas${query}`);
    await expect(page.getByRole("application", { name: /Canvas board/ })).toBeVisible({ timeout: 20_000 });
  }).toPass({ timeout: 90_000 });
}

/** Drag a node by its top strip (clear of its buttons) by (dx, dy) screen pixels. */
async function drag(page: Page, node: Locator, dx: number, dy: number) {
  const box = await node.boundingBox();
  if (!box) throw new Error("node not visible");
  const x = box.x + box.width / 2;
  const y = box.y + box.height - 12;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 5 });
  await page.mouse.move(x + dx, y + dy, { steps: 5 });
  await page.mouse.up();
}

async function transformOf(node: Locator) {
  return node.evaluate((el) => (el as HTMLElement).style.transform);
}

/**
 * Connect the bottom handle of one node to the top handle of another. Aim
 * again before letting go, like a hand does: starting near the pane's edge
 * makes React Flow pan the board while connecting, moving the target.
 */
async function connect(page: Page, from: Locator, to: Locator) {
  const targetHandle = to.locator(".react-flow__handle-top");
  const source = await from.locator(".react-flow__handle-bottom").boundingBox();
  const target = await targetHandle.boundingBox();
  if (!source || !target) throw new Error("handles not visible");
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2 + 20, { steps: 10 });
  const now = (await targetHandle.boundingBox()) ?? target;
  await page.mouse.move(now.x + now.width / 2, now.y + now.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Invite someone with a role (collab's own procedures), and have a new person accept it. */
async function invite(page: Page, browser: Browser, projectId: string, role: "viewer" | "commenter") {
  const { token } = await trpc<{ token: string }>(page, "collab.createInvite", { projectId, role, quotaUsd: 1, expiresInHours: 24 });
  const person = await newPerson(browser, role);
  await trpc(person.page, "collab.acceptInvite", { token });
  return person;
}

test("a fork in the chat shows as two branches; drag, reload, edge with label, comment and resolve", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page);
  const project = await trpc<{ id: string }>(page, "projects.create", { title: "Garden notes" });
  await chatWithForkThroughTheChatPage(page, project.id);

  await openCanvas(page, project.id);
  await expect(messageNodes(page)).toHaveCount(6);
  const colours = await messageNodes(page).evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute("data-branch-color")))]);
  expect(colours).toHaveLength(2);
  await expect(page.getByTestId("canvas-message").getByText("fork", { exact: true })).toHaveCount(1);
  // the fork was updated last, so it is the highlighted branch: its 4 messages (shared trunk included)
  await expect(page.locator('[data-testid="canvas-message"][data-current="true"]')).toHaveCount(4);
  await shot(page, "two-branches");

  // drag a node; after a reload it is still there
  const first = messageNodes(page).first();
  const key = `m:${await first.getAttribute("data-message-id")}`;
  const before = await transformOf(flowNode(page, key));
  await drag(page, flowNode(page, key), -260, 40);
  const moved = await transformOf(flowNode(page, key));
  expect(moved).not.toBe(before);
  // the move is saved shortly after the drop; then a reload shows it where it was left
  await expect
    .poll(async () => (await trpcQuery<{ positions: { key: string }[] }>(page, "canvas.board", { projectId: project.id })).positions.map((p) => p.key), {
      timeout: 45_000,
    })
    .toContain(key);
  await page.reload();
  await expect(flowNode(page, key)).toBeVisible();
  expect(await transformOf(flowNode(page, key))).toBe(moved);
  await shot(page, "after-drag-reload");

  // a note, then an edge with a label from the note to a message
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByLabel("Note text")).toHaveValue("New note");
  await page.getByLabel("Note text").fill("Check soil pH");
  await page.getByRole("button", { name: "Save note" }).click();
  await expect(page.getByTestId("canvas-note")).toContainText("Check soil pH", { timeout: 30_000 });
  await page.getByRole("button", { name: "Close panel" }).click();
  const note = page.locator('.react-flow__node-note');
  await drag(page, note, 0, -200);
  await connect(page, note, flowNode(page, key));
  const dialog = page.getByRole("dialog", { name: "New edge" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Edge label").fill("depends on");
  await dialog.getByLabel("Line").selectOption("dashed");
  await dialog.getByRole("button", { name: "Add edge" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator(".react-flow__edge-text", { hasText: "depends on" })).toBeVisible();
  await page.reload();
  // A reload fits the whole board; with the note dragged far above, that can fall below the
  // overview zoom, where edge labels are not drawn. Zoom in the way a person would to read it.
  await expect(page.locator(".react-flow__node-note")).toBeVisible();
  const overview = page.getByText("Overview: click a message to zoom in");
  for (let i = 0; i < 6 && (await overview.isVisible()); i++) {
    await page.getByRole("button", { name: "Zoom in" }).click();
    await page.waitForTimeout(300);
  }
  await expect(page.locator(".react-flow__edge-text", { hasText: "depends on" })).toBeVisible();
  await shot(page, "edge-with-label");

  // comment on a message, then resolve the thread
  await flowNode(page, key).getByRole("button", { name: /Comments on this message/ }).click();
  const panel = page.getByRole("complementary", { name: "Details" });
  await panel.getByLabel("Add a comment").fill("Is this true for clay soil?");
  await panel.getByRole("button", { name: "Comment", exact: true }).click();
  await expect(panel.getByRole("article", { name: "Open thread" })).toContainText("Is this true for clay soil?");
  await expect(flowNode(page, key).getByRole("button", { name: "Comments on this message (1)" })).toBeVisible();
  await panel.getByRole("button", { name: "Resolve" }).click();
  await expect(panel.getByRole("article", { name: "Resolved thread" })).toContainText("✓ Resolved");
  await shot(page, "comment-resolved");

  // select the edge by its label, then delete it
  await page.getByRole("button", { name: "Close panel" }).click();
  // (a tiny label at this zoom; dispatch the click the edge's handler listens for)
  await page.getByRole("group", { name: "Edge: depends on" }).dispatchEvent("click");
  await expect(panel.getByLabel("Edge label")).toHaveValue("depends on");
  await panel.getByRole("button", { name: "Delete edge" }).click();
  await expect(page.locator(".react-flow__edge-text", { hasText: "depends on" })).toHaveCount(0);

  // clicking a message opens it in the chat
  await flowNode(page, key).locator("p").first().click();
  // (the dev server may compile the chat page on first visit)
  await expect(page).toHaveURL(new RegExp(`/chat/[0-9a-f-]{36}\\?message=${key.slice(2)}`), { timeout: 45_000 });
});

test("a commenter comments but cannot move or connect; a viewer only looks; changes arrive live", async ({ page, browser }) => {
  test.setTimeout(360_000);
  await signUp(page);
  const project = await trpc<{ id: string }>(page, "projects.create", { title: "Garden notes" });
  const chat = await trpc<{ id: string }>(page, "chat.create", { projectId: project.id });
  await turn(page, { chatId: chat.id, parentId: null, content: "What grows in shade?" });

  const commenter = await invite(page, browser, project.id, "commenter");
  const viewer = await invite(page, browser, project.id, "viewer");

  await openCanvas(commenter.page, project.id);
  await expect(messageNodes(commenter.page)).toHaveCount(2);
  await expect(commenter.page.getByText("Commenter: you can comment, not rearrange")).toBeVisible();
  await expect(commenter.page.getByRole("button", { name: "Add note" })).toHaveCount(0);
  const key = `m:${await messageNodes(commenter.page).first().getAttribute("data-message-id")}`;
  const before = await transformOf(flowNode(commenter.page, key));
  await drag(commenter.page, flowNode(commenter.page, key), 200, 60);
  expect(await transformOf(flowNode(commenter.page, key))).toBe(before);
  await expect(flowNode(commenter.page, key).locator(".react-flow__handle.connectable")).toHaveCount(0);

  await flowNode(commenter.page, key).getByRole("button", { name: /Comments on this message/ }).click();
  const panel = commenter.page.getByRole("complementary", { name: "Details" });
  await panel.getByLabel("Add a comment").fill("Which ferns?");
  await panel.getByRole("button", { name: "Comment", exact: true }).click();
  await expect(panel.getByRole("article", { name: "Open thread" })).toContainText("Which ferns?");
  await expect(panel.getByRole("button", { name: "Lock position" })).toHaveCount(0);
  await shot(commenter.page, "commenter");

  // the viewer sees the comment but cannot write, move or connect
  await openCanvas(viewer.page, project.id);
  await expect(viewer.page.getByText("Viewer: read only")).toBeVisible();
  await flowNode(viewer.page, key).getByRole("button", { name: "Comments on this message (1)" }).click();
  const viewerPanel = viewer.page.getByRole("complementary", { name: "Details" });
  await expect(viewerPanel).toContainText("Which ferns?");
  await expect(viewerPanel.getByLabel("Add a comment")).toHaveCount(0);
  await expect(viewerPanel.getByRole("button", { name: "Resolve" })).toHaveCount(0);
  const viewerBefore = await transformOf(flowNode(viewer.page, key));
  await drag(viewer.page, flowNode(viewer.page, key), 150, 40);
  expect(await transformOf(flowNode(viewer.page, key))).toBe(viewerBefore);
  await shot(viewer.page, "viewer");

  // live: the owner's new note and move reach the viewer's open board without a reload
  await openCanvas(page, project.id);
  // (timed from when the owner's own board has the change, i.e. the server stored it)
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByTestId("canvas-note")).toContainText("New note", { timeout: 30_000 });
  await expect(viewer.page.getByTestId("canvas-note")).toContainText("New note", { timeout: 4_000 });
  await drag(page, flowNode(page, key), -180, 0);
  await expect
    .poll(async () => (await trpcQuery<{ positions: { key: string }[] }>(page, "canvas.board", { projectId: project.id })).positions.map((p) => p.key), {
      timeout: 30_000,
    })
    .toContain(key);
  await expect.poll(() => transformOf(flowNode(viewer.page, key)), { timeout: 4_000 }).not.toBe(viewerBefore);

  // the server refuses what the UI hides: a commenter's move is FORBIDDEN
  const refused = await commenter.page.request.post("/api/trpc/canvas.moveNodes", {
    data: { json: { projectId: project.id, moves: [{ key, x: 1, y: 1 }] } },
  });
  expect(refused.status()).toBe(403);
  await commenter.context.close();
  await viewer.context.close();
});

test("Show on canvas from the chat centres and selects the message", async ({ page }) => {
  await signUp(page);
  const project = await trpc<{ id: string }>(page, "projects.create", { title: "Garden notes" });
  const chat = await trpc<{ id: string }>(page, "chat.create", { projectId: project.id });
  await turn(page, { chatId: chat.id, parentId: null, content: "What grows in shade?" });
  await page.goto(`/projects/${project.id}/chat/${chat.id}`);
  // the chat page settles its own URL (?branch=) after loading, which can cancel an early click
  await expect(async () => {
    await page.getByRole("article", { name: "Answer" }).first().getByRole("link", { name: "Show on canvas" }).click();
    await expect(page).toHaveURL(/\/canvas\?focus=m:/, { timeout: 10_000 });
  }).toPass({ timeout: 60_000 });
  const focus = new URL(page.url()).searchParams.get("focus");
  await expect(page.getByRole("complementary", { name: "Details" })).toBeVisible();
  const answerNode = flowNode(page, focus ?? "").getByTestId("canvas-message");
  await expect(answerNode).toHaveClass(/ring-emerald-500/);
  await shot(page, "focus");

  // keyboard: up to the question, down back to the answer, Enter opens it in the chat
  await page.getByRole("application", { name: /Canvas board/ }).focus();
  await page.keyboard.press("ArrowUp");
  await expect(page.getByTestId("canvas-message").filter({ hasText: "What grows in shade?" })).toHaveClass(/ring-emerald-500/);
  await expect(answerNode).not.toHaveClass(/ring-emerald-500/);
  await page.keyboard.press("ArrowDown");
  await expect(answerNode).toHaveClass(/ring-emerald-500/);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/chat/${chat.id}\\?message=${(focus ?? "").slice(2)}`), { timeout: 45_000 });
});
