import { expect } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, questions, signUpPatiently, test } from "./support/chat-helpers";

test.setTimeout(240_000);

const shot = (page: import("@playwright/test").Page, name: string) => page.screenshot({ path: `screenshots/search-${name}.png`, fullPage: true });

test("find a message that lives only on a sibling branch — palette and search page — and open it in its branch", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page, "Kitchen garden");
  await openChatTab(page, project.id);
  await ask(page, "How often should the orchard be watered?");
  await expectAnswerDone(answers(page).first());

  // Fork from the answer and ask something only this branch knows.
  await answers(page).first().getByRole("button", { name: "Fork" }).click();
  await expect(page).toHaveURL(/branch=/);
  // Sent before the page has switched to the fork, the message would follow the answer on Main instead.
  await expect(page.getByRole("button", { name: /^Branches/ })).toContainText("Branch 2");
  const forkUrl = new URL(page.url());
  await ask(page, "Do zinnias grow well in the greenhouse?");
  await expect(questions(page)).toHaveCount(2);
  await expectAnswerDone(answers(page).nth(1));

  // Back on Main, the zinnia question is not in the thread.
  await page.getByRole("button", { name: /^Branches/ }).click();
  await page.getByRole("region", { name: "Branches of this chat" }).getByRole("button", { name: "Main", exact: true }).click();
  await expect(questions(page)).toHaveCount(1, { timeout: 60_000 });
  await page.keyboard.press("Escape");

  // ⌘K / Ctrl-K: the message, under its chat and branch path, with the word marked.
  await page.keyboard.press("Control+k");
  const palette = page.getByRole("dialog");
  await palette.getByRole("combobox", { name: "Search" }).fill("zinnia");
  const hit = palette.getByRole("option", { name: /zinnias grow well/ });
  await expect(hit).toBeVisible({ timeout: 30_000 });
  await expect(hit).toContainText("Main › Branch 2");
  await expect(hit.locator("mark")).toHaveText("zinnias");
  await shot(page, "palette");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`branch=${forkUrl.searchParams.get("branch")}&message=[0-9a-f-]{36}`), { timeout: 30_000 });
  await expect(questions(page)).toHaveCount(2, { timeout: 60_000 });
  await expect(questions(page).nth(1)).toContainText("zinnias");

  // The palette also finds the chat's project knowledge and its people; and leads to the full search page.
  await page.keyboard.press("Control+k");
  await palette.getByRole("combobox", { name: "Search" }).fill("greenhouse");
  await palette.getByRole("option", { name: /Search all messages for/ }).click();
  await expect(page).toHaveURL(/\/search\?q=greenhouse/);
  const results = page.getByRole("list", { name: "Search results" });
  const result = results.getByRole("link", { name: /zinnias grow well in the greenhouse/ });
  await expect(result).toBeVisible({ timeout: 30_000 });
  // The palette searched this project, and so does the page it leads to: the path starts at the chat.
  await expect(page).toHaveURL(new RegExp(`project=${project.id}`));
  await expect(result).toContainText("How often should the orchard be watered › Main › Branch 2");

  // Across all projects the same hit names its project too; a word nobody wrote finds nothing, and says so.
  await page.getByLabel("Search in", { exact: true }).selectOption({ label: "All my projects" });
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).not.toHaveURL(/project=/);
  await expect(result).toContainText("Kitchen garden › How often should the orchard be watered › Main › Branch 2");
  await shot(page, "page");
  await page.getByLabel("Search for", { exact: true }).fill("rhubarb");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByText("No message matches “rhubarb”")).toBeVisible();
  await page.getByLabel("Search for", { exact: true }).fill("greenhouse");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await result.click();
  await expect(page).toHaveURL(new RegExp(`branch=${forkUrl.searchParams.get("branch")}&message=`), { timeout: 30_000 });
  await expect(questions(page).nth(1)).toContainText("zinnias", { timeout: 60_000 });
});
