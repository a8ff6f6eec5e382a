import { expect, type Page } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, questions, signUpPatiently, test } from "./support/chat-helpers";

/**
 * The merge journey: two lines of thought that share their first exchange
 * are merged from the chat page ("Merge branches"), the answer goes to Claude
 * (the fake upstream records what it was sent: both lines, the shared start
 * once), the thread says which branches the merge joins, and the canvas draws
 * the join — an edge from each parent into the merge message.
 */
test.setTimeout(240_000);

const OFFSET = Number(process.env.E2E_PORT_OFFSET ?? 0);
const FAKE_ANTHROPIC = `http://127.0.0.1:${4010 + OFFSET}`;

const ROOT = `Which cover crops suit a small garden? (${Math.random().toString(16).slice(2, 8)})`;
const LINE_A = "Line A: how does clover fix nitrogen?";
const LINE_B = "Line B: when should rye be cut down?";
const MERGE = "Bring clover and rye together into one planting calendar.";

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/merge-${name}.png`, fullPage: true });

type Recorded = { body: { system: string; messages: Array<{ role: string; content: string | Array<{ text?: string }> }> } };
const textOf = (c: Recorded["body"]["messages"][number]["content"]) => (typeof c === "string" ? c : c.map((p) => p.text ?? "").join(""));

test("merge two branches: both lines reach the model, the thread names them, the canvas draws the join", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page, "Cover crops");
  await openChatTab(page, project.id);

  // the shared start, then line A on Main
  await ask(page, ROOT);
  await expectAnswerDone(answers(page).first());
  await ask(page, LINE_A);
  await expect(questions(page)).toHaveCount(2);
  await expectAnswerDone(answers(page).nth(1));
  // line B: a fork at the first answer, continued
  await answers(page).first().getByRole("button", { name: "Fork" }).click();
  await expect(questions(page)).toHaveCount(1);
  await ask(page, LINE_B);
  await expect(questions(page).nth(1)).toContainText("rye");
  await expectAnswerDone(answers(page).nth(1));

  // the merge's answer goes to Claude, so the fake upstream sees exactly what the model got
  await page.getByLabel("Model", { exact: true }).selectOption({ label: "Claude Haiku 5.5" });
  await page.getByRole("button", { name: "Merge branches" }).click();
  const dialog = page.getByRole("dialog", { name: "Merge branches" });
  await expect(dialog).toBeVisible();
  const first = dialog.getByLabel("First branch");
  const second = dialog.getByLabel("Second branch");
  await first.selectOption({ label: "Main" });
  // the same branch twice is not offered as a merge
  await second.selectOption({ label: "Main" });
  await expect(dialog.getByRole("button", { name: "Merge", exact: true })).toBeDisabled();
  await expect(dialog.getByRole("alert")).toHaveText("Pick two different branches.");
  const other = await second.locator("option", { hasNotText: "Main" }).first().textContent();
  if (!other) throw new Error("no second branch offered");
  await second.selectOption({ label: other.trim() });
  await dialog.getByLabel("Message for the merge").fill(MERGE);
  await shot(page, "dialog");
  await dialog.getByRole("button", { name: "Merge", exact: true }).click();

  // the thread: the merge message names both branches, and its answer continues on a new branch
  const merge = page.getByRole("article", { name: "Merge" });
  await expect(merge).toContainText(MERGE, { timeout: 60_000 });
  await expect(merge).toContainText(`Joins Main and ${other.trim()}`);
  const answer = answers(page).last();
  await expectAnswerDone(answer);
  await expect(answer.getByLabel("Answer details")).toContainText("Claude Haiku 5.5");
  await expect(page.getByRole("button", { name: /Branches/ })).toContainText("Merge of Main and");
  await shot(page, "thread");

  // what the model was sent: the shared start once, then line A, then line B, then the merge's message
  const recorded = (await (await page.request.get(`${FAKE_ANTHROPIC}/_recorded?contains=${encodeURIComponent(MERGE)}`)).json()) as Recorded[];
  expect(recorded).toHaveLength(1);
  const sent = recorded[0]?.body.messages.map((m) => textOf(m.content)).join("\n") ?? "";
  expect(sent.split(ROOT)).toHaveLength(2);
  const order = [ROOT, LINE_A, LINE_B, MERGE].map((t) => sent.indexOf(t));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((x, y) => x - y)).toEqual(order);
  expect(recorded[0]?.body.system).toContain(`"Main" and "${other.trim()}"`);

  // the branch menu marks both merged branches
  await page.getByRole("button", { name: /Branches/ }).click();
  const menu = page.getByRole("region", { name: "Branches of this chat" });
  await expect(menu.getByRole("listitem").filter({ hasText: "merged" })).toHaveCount(2);
  await page.keyboard.press("Escape");

  // the canvas draws the join: the merge message has an edge from each of its two parents
  await expect(async () => {
    await page.goto(`/projects/${project.id}/canvas`);
    await expect(page.getByRole("application", { name: /Canvas board/ })).toBeVisible({ timeout: 20_000 });
  }).toPass({ timeout: 90_000 });
  await expect(page.getByTestId("canvas-message")).toHaveCount(8);
  const join = page.locator('.react-flow__edge[data-id^="merge:"]');
  await expect(join).toHaveCount(1);
  const mergeId = (await join.getAttribute("data-id"))?.slice("merge:".length);
  await expect(page.locator(`.react-flow__edge[data-id="tree:${mergeId}"]`)).toHaveCount(1);
  await expect(page.locator(".react-flow__edge-text", { hasText: "merge" })).toBeVisible();
  await shot(page, "canvas-join");
});
