import { expect } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, quietDevReloads, setEscalationPolicy, signUpPatiently, test, trpcCall } from "./support/chat-helpers";

test.setTimeout(300_000);

test("a member joins: the owner's bell rises, the project list and Overview tab show the unread activity; one card holds every choice", async ({ page, browser }) => {
  await signUpPatiently(page);
  const project = await newProject(page, "Allotment");
  await page.goto("/dashboard");
  await expect(page.getByRole("button", { name: "Notifications", exact: true })).toBeVisible({ timeout: 60_000 });

  const context = await browser.newContext();
  await quietDevReloads(context);
  const member = await context.newPage();
  await signUpPatiently(member);
  const { token } = await trpcCall<{ token: string }>(page, "collab.createInvite", { projectId: project.id, role: "editor", quotaUsd: "1", expiresInHours: 24 });
  await trpcCall(member, "collab.acceptInvite", { token });

  // the bell (polled) counts it and says who joined
  const bell = page.getByRole("button", { name: /^Notifications, 1 unread$/ });
  await expect(bell).toBeVisible({ timeout: 30_000 });
  await bell.click();
  await expect(page.getByRole("region", { name: "Notifications" })).toContainText("joined “Allotment”");

  // the project's entry in the list shows its unread activity, and so does its Overview tab
  await page.goto("/dashboard");
  const card = page.getByRole("link", { name: /Allotment/ });
  await expect(card).toContainText(/\d+ unread/);
  await page.screenshot({ path: "screenshots/notify-dashboard-unread.png", fullPage: true });
  await page.goto(`/projects/${project.id}/chat`);
  await expect(page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: /^Overview \d+ unread$/ })).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: "screenshots/notify-project-tab-unread.png" });

  // one place for every choice; security mails are listed as always sent
  await page.goto("/account#notifications");
  const heading = page.getByRole("heading", { name: "Notifications and mails" });
  await expect(heading).toBeVisible();
  await expect(page.getByRole("heading", { name: "Mails Arbor sends" })).toHaveCount(0);
  await expect(page.getByText("Security mails always go")).toBeVisible();
  const joins = page.getByLabel("Someone joins a project you own");
  await expect(joins).toHaveValue("app");
  const saved = page.waitForResponse((r) => r.url().includes("notifications.setPreference") && r.ok());
  await joins.selectOption("none");
  await saved;
  await expect(page.getByLabel("An answer finishes while you are away")).toHaveValue("app");
  await expect(page.getByLabel("Budget alerts (50 %, 80 % and 100 % of your limit)")).toHaveValue("mail");
  await heading.scrollIntoViewIfNeeded();
  await page.locator("section, div").filter({ has: heading }).last().screenshot({ path: "screenshots/notify-account-card.png" });
  // the choice is stored: it is still there after a reload
  await page.reload();
  await expect(page.getByLabel("Someone joins a project you own")).toHaveValue("none", { timeout: 30_000 });
  await context.close();
});

test("a live share link, signed out, follows a new answer through the stream feed — not by polling", async ({ page, browser }) => {
  await signUpPatiently(page);
  const project = await newProject(page, "Orchard feed");
  await openChatTab(page, project.id);
  await ask(page, "When should apple trees be pruned?");
  await expectAnswerDone(answers(page).first());
  const chatUrl = page.url();
  const chatId = new URL(chatUrl).pathname.split("/chat/")[1] ?? "";
  const { url } = await trpcCall<{ url: string }>(page, "share.create", { projectId: project.id, chatId, branchId: null, mode: "live", expiresInDays: 7 });

  const outsider = await browser.newContext();
  const reader = await outsider.newPage();
  const viewReads: string[] = [];
  reader.on("request", (r) => {
    if (r.url().includes("/api/trpc/share.view")) viewReads.push(r.url());
  });
  const feed = reader.waitForRequest((r) => /\/api\/share\/[A-Za-z0-9_-]{43}\/live$/.test(r.url()));
  await reader.goto(new URL(url).pathname);
  await feed;
  const shared = reader.getByRole("list", { name: "Shared messages" });
  await expect(shared.getByRole("article", { name: "Question" })).toContainText("When should apple trees be pruned?");

  // a slow cloud answer: the shared page shows it being written, piece by piece
  await setEscalationPolicy(page, project.id, "cloud");
  await page.goto(chatUrl);
  await expect(page.getByLabel("Message", { exact: true })).toBeVisible({ timeout: 60_000 });
  const before = viewReads.length;
  await ask(page, "And pear trees? [[slow]]");
  const answer = shared.getByRole("article", { name: "Answer" }).nth(1);
  await expect(answer.getByRole("status")).toContainText("Writing", { timeout: 30_000 });
  await expect(answer).toContainText("word", { timeout: 30_000 });
  const early = ((await answer.textContent()) ?? "").length;
  await expect.poll(async () => ((await answer.textContent()) ?? "").length, { timeout: 30_000 }).toBeGreaterThan(early + 10);
  await reader.screenshot({ path: "screenshots/notify-share-live-feed.png", fullPage: true });
  await expectAnswerDone(answers(page).nth(1));
  await expect(answer.getByRole("status")).toHaveCount(0, { timeout: 30_000 });
  // the view was read again only when the feed said the chat changed (the question, the answer's start and end) —
  // a poll every 1.5 s over a ten-second answer would be many more
  expect(viewReads.length - before).toBeLessThanOrEqual(5);
  await outsider.close();
});
