import { expect } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, setEscalationPolicy, signUpPatiently, test } from "./support/chat-helpers";

test.setTimeout(240_000);

/** Makes the fake Anthropic stream slowly (testing/fakes/anthropic.ts): long enough to watch it arrive. */
const SLOW = "[[slow]]";

test("share a branch, read it signed out, watch a new answer arrive live, end the link and see it refused", async ({ page, browser }) => {
  await signUpPatiently(page);
  const project = await newProject(page, "Shared orchard");
  await openChatTab(page, project.id);
  await ask(page, "When should apple trees be pruned?");
  await expectAnswerDone(answers(page).first());
  const chatUrl = page.url();

  await page.getByRole("button", { name: "Share", exact: true }).click();
  const panel = page.getByRole("region", { name: "Share this chat" });
  await panel.getByRole("radio", { name: /This branch/ }).check();
  await panel.getByRole("radio", { name: /Live/ }).check();
  await panel.getByLabel("Expires").selectOption({ label: "In 7 days" });
  await panel.getByRole("button", { name: "Create link" }).click();
  const url = await panel.getByLabel("Share link").inputValue();
  expect(url).toMatch(/\/share\/[A-Za-z0-9_-]{43}$/);
  await expect(panel.getByRole("region", { name: "Open links to this chat" })).toContainText("branch “Main” · live");
  await page.screenshot({ path: "screenshots/share-panel.png", fullPage: true });

  // Signed out, in another browser: read-only, never indexed.
  const outsider = await browser.newContext();
  const reader = await outsider.newPage();
  const response = await reader.goto(new URL(url).pathname);
  expect(response?.headers()["x-robots-tag"]).toContain("noindex");
  await expect(reader.locator('meta[name="robots"]')).toHaveAttribute("content", /noindex/);
  const shared = reader.getByRole("list", { name: "Shared messages" });
  await expect(shared.getByRole("article", { name: "Question" })).toContainText("When should apple trees be pruned?");
  await expect(reader.getByRole("button", { name: "Send" })).toHaveCount(0);
  await expect(reader.getByRole("link", { name: "Sign in" })).toBeVisible();

  // A new, slow cloud answer on the branch appears on the shared page while it is being written.
  await setEscalationPolicy(page, project.id, "cloud");
  await page.goto(chatUrl);
  await expect(page.getByLabel("Message", { exact: true })).toBeVisible({ timeout: 60_000 });
  await ask(page, `And pear trees? ${SLOW}`);
  await expect(shared.getByRole("article", { name: "Question" }).nth(1)).toContainText("And pear trees?", { timeout: 30_000 });
  await expect(shared.getByRole("article", { name: "Answer" }).nth(1).getByRole("status")).toContainText("Writing", { timeout: 30_000 });
  await expect(shared.getByRole("article", { name: "Answer" }).nth(1)).toContainText("word", { timeout: 30_000 });
  await reader.screenshot({ path: "screenshots/share-live.png", fullPage: true });
  await expectAnswerDone(answers(page).nth(1));
  await expect(shared.getByRole("article", { name: "Answer" }).nth(1).getByRole("status")).toHaveCount(0, { timeout: 30_000 });

  // End the link: the shared page refuses it from then on.
  await page.getByRole("button", { name: "Share", exact: true }).click();
  await panel.getByRole("button", { name: /^End link/ }).click();
  await expect(panel.getByRole("region", { name: "Open links to this chat" })).toContainText("None.");
  await reader.reload();
  await expect(reader.getByRole("heading", { name: "This share link does not work" })).toBeVisible();
  await expect(reader.getByText("This share link was ended")).toBeVisible();
  await outsider.close();
});
