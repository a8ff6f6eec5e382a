import { expect } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, quietDevReloads, signUpPatiently, test, trpcCall } from "./support/chat-helpers";

test.setTimeout(240_000);

test("@mention a member in a comment: their bell count rises and a digest mail arrives", async ({ page, browser }) => {
  await signUpPatiently(page);
  const project = await newProject(page, "Mentions");
  await openChatTab(page, project.id);
  await ask(page, "What mulch suits blueberries?");
  await expectAnswerDone(answers(page).first());

  // A second person joins as a commenter.
  const context = await browser.newContext();
  await quietDevReloads(context);
  const member = await context.newPage();
  const { email } = await signUpPatiently(member);
  const { token } = await trpcCall<{ token: string }>(page, "collab.createInvite", { projectId: project.id, role: "commenter", quotaUsd: "0", expiresInHours: 24 });
  await trpcCall(member, "collab.acceptInvite", { token });
  await member.goto("/dashboard");
  await expect(member.getByRole("button", { name: "Notifications", exact: true })).toBeVisible({ timeout: 60_000 });

  // The owner comments on the answer on the canvas, picking the member from the @ suggestions.
  await page.goto(`/projects/${project.id}/canvas`);
  await page.locator(".react-flow__node-message").last().getByRole("button", { name: /Comments on this message/ }).click({ timeout: 60_000 });
  const panel = page.getByRole("complementary", { name: "Details" });
  const box = panel.getByLabel("Add a comment");
  await box.fill(`Worth a look @${email.slice(0, 6)}`);
  await panel.getByRole("list", { name: "Mention a member" }).getByRole("button", { name: new RegExp(email) }).click();
  await expect(box).toHaveValue(`Worth a look @${email} `);
  await panel.getByRole("button", { name: "Comment", exact: true }).click();
  await expect(panel.getByRole("article", { name: "Open thread" })).toContainText(`@${email}`);

  // The member's bell counts it (polled), and leads to the message.
  const bell = member.getByRole("button", { name: /^Notifications, 1 unread$/ });
  await expect(bell).toBeVisible({ timeout: 30_000 });
  await bell.click();
  const list = member.getByRole("region", { name: "Notifications" });
  await expect(list).toContainText("mentioned you");
  await member.screenshot({ path: "screenshots/notifications-bell.png" });
  await list.getByRole("button", { name: "Mark all read" }).click();
  await expect(member.getByRole("button", { name: "Notifications", exact: true })).toBeVisible();

  // Mentions mail by default: one digest through the outbox once the burst is quiet.
  await expect(async () => {
    await member.goto("/dev/mailbox");
    await expect(member.getByRole("article").filter({ hasText: `To: ${email}` }).filter({ hasText: "mentioned you" }).first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 120_000, intervals: [5_000] });
  await context.close();
});
