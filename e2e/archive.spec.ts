import { expect } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, signUpPatiently, test } from "./support/chat-helpers";

test.setTimeout(240_000);

test("archive a chat: it leaves the list for Archived, still opens whole, and comes back", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page, "Archive");
  await openChatTab(page, project.id);
  await ask(page, "Where should the compost heap go?");
  await expectAnswerDone(answers(page).first());
  const chats = page.getByRole("navigation", { name: "Chats" });
  const link = chats.getByRole("link", { name: /Where should the compost heap go/ });
  await expect(link).toBeVisible();

  await chats.getByRole("button", { name: /^Archive chat Where should the compost heap go/ }).click();
  const archived = chats.getByRole("list", { name: "Archived chats" });
  await expect(chats.getByText("Archived (1)")).toBeVisible();
  // the open chat is archived, so the Archived section is open and lists it
  await expect(archived.getByRole("link", { name: /Where should the compost heap go/ })).toBeVisible();
  await expect(answers(page).first()).toContainText("couldn't find anything");
  await page.screenshot({ path: "screenshots/archive-list.png", fullPage: true });

  await archived.getByRole("button", { name: /^Unarchive chat Where should the compost heap go/ }).click();
  await expect(chats.getByText(/Archived \(/)).toHaveCount(0);
  await expect(link).toBeVisible();
});
