import { expect, type Page } from "@playwright/test";
import { uniqueEmail } from "./support/auth";
import { fillSignUp } from "./support/collab-helpers";
import { answers, ask, expectAnswerDone, newMember, newProject, openChatTab, signUpPatiently, test, trpcCall } from "./support/chat-helpers";
import { MAIN_PORT, runStripeSetup, STAND_IN_WEBHOOK_SECRET, startExtraServer } from "./support/extra-server";

/**
 * Money that cannot leak, as a person meets it: a guest's quota holds across
 * leaving and rejoining, a production build without Stripe sells nothing, and
 * with Stripe (the local stand-in) a Managed subscriber's usage is on the
 * upcoming invoice.
 */
const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/money-${name}.png`, fullPage: true });
/** Sign up on another server than the main one (support/auth's signUp goes to the base URL). */
async function signUpOn(page: Page, url: string) {
  await page.goto(`${url}/sign-up`);
  await fillSignUp(page, uniqueEmail("money"));
}

const CJK_PROMPT = "竹林の小道を歩くと、風が葉を揺らす音が聞こえる。".repeat(320).slice(0, 8_000);

test.describe.configure({ timeout: 600_000 });

/** Escalate answers until the quota refuses one; returns how many cloud answers came first. */
async function escalateUntilStopped(page: Page, rounds: number): Promise<number> {
  const quota = page.getByText(/spending quota in this project/).first();
  for (let round = 0; round < rounds; round++) {
    await ask(page, `Question ${round + 1} about the garden?`);
    // the newest exchange is the last one; Escalate replaces its answer with a cloud sibling
    await expect(answers(page)).toHaveCount(round + 1, { timeout: 90_000 });
    const answer = answers(page).last();
    await expectAnswerDone(answer);
    await answer.getByRole("button", { name: "Escalate", exact: true }).click();
    await expect(async () => {
      const refused = await quota.isVisible();
      const cloud = await answers(page).last().getByText("fake Claude").isVisible();
      expect(refused || cloud).toBe(true);
    }).toPass({ timeout: 60_000 });
    if (await quota.isVisible()) return round;
    await expectAnswerDone(answers(page).last());
  }
  throw new Error(`the quota never stopped the guest in ${rounds} rounds`);
}

test("a guest with a $0.01 quota and a large system prompt is stopped, leaves, rejoins and is still stopped", async ({ page, browser }) => {
  await signUpPatiently(page);
  const project = await newProject(page, `Quota ${Date.now() % 10_000}`);
  await trpcCall(page, "projects.updateSettings", { projectId: project.id, systemPrompt: CJK_PROMPT, defaultCloudModel: "claude-haiku-5-5" });
  const invite = await trpcCall<{ token: string }>(page, "collab.createInvite", { projectId: project.id, role: "editor", quotaUsd: 0.01, expiresInHours: 24 });
  const guest = await newMember(browser, invite.token);

  await openChatTab(guest.page, project.id);
  // each answer's hold counts the 8,000-character prompt's bytes; the answers it did give are spent
  const before = await escalateUntilStopped(guest.page, 12);
  expect(before).toBeGreaterThanOrEqual(1);
  await expect(guest.page.getByText(/Ask the owner \(/).first()).toBeVisible();
  await shot(guest.page, "guest-stopped");

  // leaves through the Members tab
  await guest.page.goto(`/projects/${project.id}/members`);
  guest.page.once("dialog", (dialog) => void dialog.accept());
  await guest.page.getByRole("button", { name: "Leave project" }).click();
  await expect(guest.page).toHaveURL(/\/dashboard/, { timeout: 60_000 });

  // the owner invites them again with the same quota; what they spent still counts
  const again = await trpcCall<{ token: string }>(page, "collab.createInvite", { projectId: project.id, role: "editor", quotaUsd: 0.01, expiresInHours: 24 });
  await trpcCall(guest.page, "collab.acceptInvite", { token: again.token });
  await openChatTab(guest.page, project.id);
  // stopped at once: rejoining did not reset what was spent
  expect(await escalateUntilStopped(guest.page, 2)).toBe(0);
  await shot(guest.page, "guest-still-stopped");

  await guest.context.close();
});

test("a production build without Stripe offers no paid plan and no credits, and says why", async ({ page }) => {
  const server = await startExtraServer(MAIN_PORT + 1, {});
  try {
    await signUpOn(page, server.url);
    await page.goto(`${server.url}/billing`);
    await expect(page.getByTestId("billing-tier")).toHaveText("Free", { timeout: 90_000 });
    await expect(page.getByTestId("payments-unavailable")).toHaveText(/^Paid plans and credits are unavailable on this server: it has no Stripe account configured/);
    await expect(page.getByRole("button", { name: /Upgrade to/ })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Buy credits" })).toHaveCount(0);
    // no banner: this server does not run the test checkout
    await expect(page.getByRole("note", { name: "Test payments" })).toHaveCount(0);
    await shot(page, "no-stripe");
  } finally {
    await server.stop();
  }
});

test("with Stripe (the stand-in), a Managed subscriber's usage is on the upcoming invoice", async ({ page }) => {
  const prices = await runStripeSetup();
  expect(Object.keys(prices).sort()).toEqual(["STRIPE_PRICE_BYOK", "STRIPE_PRICE_MANAGED", "STRIPE_PRICE_USAGE"]);
  const server = await startExtraServer(MAIN_PORT + 2, {
    STRIPE_SECRET_KEY: "sk_test_e2e_stand_in",
    STRIPE_API_URL: `http://127.0.0.1:${MAIN_PORT - 3100 + 4012}`,
    STRIPE_WEBHOOK_SECRET: STAND_IN_WEBHOOK_SECRET,
    ...prices,
  });
  try {
    await signUpOn(page, server.url);
    await page.goto(`${server.url}/billing`);
    await expect(page.getByTestId("billing-tier")).toHaveText("Free", { timeout: 90_000 });
    await page.getByRole("button", { name: "Upgrade to Managed" }).click();
    // Stripe's hosted Checkout (the stand-in's page): pay, come back, and the webhook made the account Managed
    await expect(page.getByRole("heading", { name: "Stripe Checkout (stand-in)" })).toBeVisible({ timeout: 90_000 });
    await page.getByRole("button", { name: "Pay" }).click();
    await expect(page).toHaveURL(/\/billing\?checkout=success/, { timeout: 90_000 });
    await expect(page.getByTestId("billing-tier")).toHaveText("Managed", { timeout: 60_000 });

    // one cloud answer in a project of theirs
    await page.goto(`${server.url}/dashboard`);
    await page.getByLabel("Project name").fill("Invoiced work");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}/, { timeout: 90_000 });
    const projectId = page.url().match(/projects\/([0-9a-f-]{36})/)?.[1] ?? "";
    await page.goto(`${server.url}/projects/${projectId}/chat`);
    await ask(page, "Summarise the garden plan [[long]]");
    await expectAnswerDone(answers(page).first());
    await answers(page).first().getByRole("button", { name: "Escalate", exact: true }).click();
    await expect(answers(page).first().getByLabel("Answer details")).toContainText("Cloud", { timeout: 90_000 });

    // the meter worker reports it (every 30 s); the Billing page shows Stripe's own preview of the next invoice
    const invoice = page.getByRole("table", { name: "Upcoming invoice lines" });
    await expect(async () => {
      await page.goto(`${server.url}/billing`);
      // reported: its quantity in micro-dollars, the amount rounded to the cent by Stripe (this answer cost under a cent)
      await expect(invoice.getByRole("row", { name: /^[1-9]\d* × Arbor usage/ })).toContainText("$0.01", { timeout: 5_000 });
    }).toPass({ timeout: 120_000 });
    await expect(invoice.getByRole("row").first()).toContainText("$10.00");
    await shot(page, "upcoming-invoice");
  } finally {
    await server.stop();
  }
});
