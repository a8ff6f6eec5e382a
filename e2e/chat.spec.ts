import { expect } from "@playwright/test";
import {
  answers,
  ask,
  expectAnswerDone,
  newMember,
  newProject,
  openChatTab,
  questions,
  setEscalationPolicy,
  shot,
  signUpPatiently,
  test,
  trpcCall,
} from "./support/chat-helpers";

// The shared dev server compiles pages on first visit while other people's tests run.
test.setTimeout(240_000);

/** Makes the fake Anthropic stream slowly (testing/fakes/anthropic.ts), long enough to Stop, reload or watch it. */
const SLOW = "[[slow]]";

test("ask → local answer → Escalate → streamed cloud sibling → switch versions → fork → branch menu", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page);
  await openChatTab(page, project.id);
  await expect(page.getByRole("heading", { name: "Ask anything — answers come first from your vault…" })).toBeVisible();
  await shot(page, "empty");

  // A new chat is made by the POST /api/chat of its first question: one request, no chat.create before it.
  const creates: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("chat.create")) creates.push(request.url());
  });
  await ask(page, "What does our handbook say about holidays?");
  await expect(page).toHaveURL(new RegExp(`/projects/${project.id}/chat/[0-9a-f-]{36}`));
  expect(creates).toEqual([]);
  await expect(questions(page)).toHaveCount(1);
  await expect(questions(page).first()).toContainText("holidays");
  const local = answers(page).first();
  await expectAnswerDone(local);
  // The vault is empty: the built-in responder says so and points at Escalate; it costs nothing.
  await expect(local).toContainText("couldn't find anything");
  await expect(local.getByLabel("Answer details")).toContainText("Local");
  await expect(local.getByLabel("Answer details")).toContainText("vault responder");
  await expect(local.getByLabel("Answer details")).toContainText("$0.000000");
  await shot(page, "local-answer");

  await local.getByRole("button", { name: "Escalate", exact: true }).click();
  const cloud = answers(page).first();
  await expect(cloud).toContainText("fake Claude", { timeout: 60_000 });
  await expectAnswerDone(cloud);
  await expect(cloud.getByLabel("Answer details")).toContainText("Cloud");
  await expect(cloud.getByLabel("Answer details")).toContainText(/\$0\.\d{6}/);
  // Both answers stay side by side as versions of one reply.
  await expect(cloud.getByRole("group", { name: "Versions" })).toContainText("2 / 2");
  await expect(page).toHaveURL(/branch=/);
  await shot(page, "cloud-sibling");

  await cloud.getByRole("button", { name: "Previous version" }).click();
  await expect(answers(page).first()).toContainText("couldn't find anything");
  await expect(answers(page).first().getByRole("group", { name: "Versions" })).toContainText("1 / 2");
  await answers(page).first().getByRole("button", { name: "Next version" }).click();
  await expect(answers(page).first()).toContainText("fake Claude");
  await answers(page).first().getByRole("button", { name: "Previous version" }).click();
  await expect(answers(page).first()).toContainText("couldn't find anything");

  // Fork from the first (local) answer: a new branch, shown at once, listed in the branch menu.
  await answers(page).first().getByRole("button", { name: "Fork" }).click();
  await page.getByRole("button", { name: /^Branches/ }).click();
  const menu = page.getByRole("region", { name: "Branches of this chat" });
  await expect(menu.getByRole("button", { name: "Branch 3", exact: true })).toHaveAttribute("aria-current", "true");
  await expect(menu.getByRole("button", { name: "Main", exact: true })).toBeVisible();
  await expect(menu.getByRole("button", { name: /^Escalated to Claude/ })).toBeVisible();
  await shot(page, "branch-menu");

  // Rename the fork, then continue it: the new message follows the local answer.
  await menu.getByRole("button", { name: "Rename branch Branch 3" }).click();
  await menu.getByLabel("Branch name").fill("Holiday follow-up");
  await menu.getByRole("button", { name: "Save" }).click();
  await expect(menu.getByRole("button", { name: "Holiday follow-up", exact: true })).toHaveAttribute("aria-current", "true");
  await page.keyboard.press("Escape");
  await ask(page, "And what about sick leave?");
  await expect(questions(page)).toHaveCount(2);
  await expectAnswerDone(answers(page).nth(1));
  await expect(answers(page).first()).toContainText("couldn't find anything");

  // Feedback is a pressed toggle.
  const good = answers(page).first().getByRole("button", { name: "Good answer" });
  await good.click();
  await expect(good).toHaveAttribute("aria-pressed", "true");
  await expect(answers(page).first().getByRole("link", { name: "Show on canvas" })).toHaveAttribute("href", /\/canvas\?focus=m:[0-9a-f-]{36}$/);
  await shot(page, "forked-thread");
});

test("Send right after Fork continues the fork, even while the forked thread is still loading", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page);
  await openChatTab(page, project.id);
  await ask(page, "Which trees grow fast?");
  await expectAnswerDone(answers(page).first());
  await ask(page, "Which of them are evergreen?");
  await expect(questions(page)).toHaveCount(2);
  await expectAnswerDone(answers(page).nth(1));

  // A slow network: the fork and every thread read take 1.5 s, so Send is pressed while Fork is still under way.
  await page.route(/\/api\/trpc\/[^?]*chat\.(fork|thread)/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  });
  await answers(page).first().getByRole("button", { name: "Fork" }).click();
  await ask(page, "And which flower?");
  await page.unrouteAll({ behavior: "wait" });

  // The new question follows the first answer (the fork point), not the old branch's last answer.
  await expect(questions(page)).toHaveCount(2);
  await expect(questions(page).nth(1)).toContainText("flower");
  await expect(questions(page).first()).toContainText("grow fast");
  await expectAnswerDone(answers(page).nth(1));
  await expect(page.getByText("Which of them are evergreen?")).toHaveCount(0);
});

test("Stop mid-stream keeps the partial answer", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page);
  await setEscalationPolicy(page, project.id, "cloud");
  await openChatTab(page, project.id);

  await ask(page, `Tell me everything ${SLOW}`);
  const answer = answers(page).first();
  await expect(answer).toContainText("word3", { timeout: 60_000 });
  await expect(answer.getByRole("status")).toContainText(/Writing the answer|Checking|Searching|Reading/);
  await shot(page, "streaming");
  await page.getByRole("button", { name: "Stop" }).click();
  await expectAnswerDone(answer);
  await expect(answer).toContainText("Stopped");
  await expect(answer).not.toContainText("word200");
  await expect(answer.getByLabel("Answer details")).toContainText("Cloud");
  // The composer is free again.
  await expect(page.getByRole("button", { name: "Send", exact: true })).toBeVisible();
  await shot(page, "stopped");
});

test("reload mid-answer picks the stream up again and watches it finish", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page);
  await setEscalationPolicy(page, project.id, "cloud");
  await openChatTab(page, project.id);

  await ask(page, `Count slowly ${SLOW}`);
  await expect(answers(page).first()).toContainText("word1 ", { timeout: 60_000 });
  await page.reload({ waitUntil: "commit" });
  const answer = answers(page).first();
  // Resumed from event 1: the early tokens are back, and new ones keep arriving live.
  await expect(answer).toContainText("word1 ", { timeout: 60_000 });
  await expect(answer).toHaveAttribute("aria-busy", "true");
  await expect(answer).toContainText("word200", { timeout: 60_000 });
  await expectAnswerDone(answer);
  await expect(answer).not.toHaveAttribute("aria-busy", "true");
});

test("another member watching the chat sees the answer arrive live", async ({ page, browser }) => {
  // Two sign-ups and two first page loads on the shared server.
  test.setTimeout(420_000);
  await signUpPatiently(page);
  const project = await newProject(page);
  await setEscalationPolicy(page, project.id, "cloud");
  await openChatTab(page, project.id);
  await ask(page, "First question, to open the chat");
  await expectAnswerDone(answers(page).first());
  const chatUrl = page.url();

  const { token } = await trpcCall<{ token: string }>(page, "collab.createInvite", {
    projectId: project.id,
    role: "viewer",
    quotaUsd: "0",
    expiresInHours: 24,
  });
  const member = await newMember(browser, token);
  await member.page.goto(chatUrl);
  await expect(answers(member.page)).toHaveCount(1, { timeout: 90_000 });
  // A viewer reads but cannot write, and is told why.
  await expect(member.page.getByLabel("Message", { exact: true })).toBeDisabled();
  await expect(member.page.getByText(/You are a viewer in this project/)).toBeVisible();

  await ask(page, `Now tell me a long story ${SLOW}`);
  const watched = answers(member.page).nth(1);
  await expect(watched).toContainText("word5", { timeout: 60_000 });
  await expect(watched).toHaveAttribute("aria-busy", "true");
  await shot(member.page, "watching");
  await expect(watched).toContainText("word200", { timeout: 60_000 });
  await expectAnswerDone(watched);
  await expect(questions(member.page).nth(1)).toContainText("long story");
  await member.context.close();
});
