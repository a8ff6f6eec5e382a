import { expect } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, signUpPatiently, test } from "./support/chat-helpers";

test.setTimeout(240_000);

test("a chat gets a summary and keywords in the background: chat list, canvas, search results", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page, "Pest control");
  await openChatTab(page, project.id);
  await ask(page, "Which flowers keep aphids away from tomatoes?");
  await expectAnswerDone(answers(page).first());
  const chatPage = page.url();

  // No local model is configured here: the summary is made from the chat's own words, at no cost.
  // The summary of a one-question chat repeats its title, so the list shows the keywords under the name.
  const chatLink = page.getByRole("navigation", { name: "Chats" }).getByRole("link", { name: /Which flowers keep aphids/ });
  await expect(async () => {
    await page.goto(chatPage);
    await expect(page.getByRole("navigation", { name: "Chats" })).toContainText("flowers, aphids, tomatoes", { timeout: 3_000 });
  }).toPass({ timeout: 90_000, intervals: [3_000] });
  await expect(chatLink).toHaveAccessibleDescription("flowers, aphids, tomatoes");
  await page.screenshot({ path: "screenshots/summaries-chat-list.png", fullPage: true });

  await page.goto(`/projects/${project.id}/canvas`);
  const chatNode = page.getByTestId("canvas-chat").first();
  await expect(chatNode).toContainText("aphids", { timeout: 60_000 });
  await expect(chatNode).toHaveAttribute("title", /aphids away from tomatoes/);
  await page.screenshot({ path: "screenshots/summaries-canvas.png" });

  await page.goto(`/search?q=tomatoes&project=${project.id}`);
  const hit = page.getByRole("list", { name: "Search results" }).getByRole("link").first();
  await expect(hit).toContainText("About this chat: Which flowers keep aphids away from tomatoes?", { timeout: 30_000 });
});
