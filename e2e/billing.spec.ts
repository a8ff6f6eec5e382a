import { expect, type Page } from "@playwright/test";
import { signUp, verifyEmail } from "./support/auth";
import { answers, ask, expectAnswerDone, openChatTab, test } from "./support/chat-helpers";

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/billing-${name}.png`, fullPage: true });
}

/** Sign up patiently: the shared dev server can take longer than the helper's default wait under load. */
async function signUpPatiently(page: Page) {
  const { email } = await signUp(page, {}, "/dashboard");
  await expect(page).toHaveURL(/\/dashboard/, { timeout: 120_000 });
  // the Free plan's cloud allowance waits for a verified address
  await verifyEmail(page, email);
}

/** Create a project once the dashboard has hydrated (a form submitted before hydration falls back to a plain GET). */
async function createProjectPatiently(page: Page): Promise<{ id: string }> {
  const title = `Billing project ${Math.random().toString(16).slice(2, 6)}`;
  await expect(async () => {
    await page.goto("/dashboard");
    await page.waitForLoadState("networkidle");
    await page.getByLabel("Project name").fill(title);
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}/, { timeout: 60_000 });
  }).toPass({ timeout: 240_000 });
  const id = page.url().match(/projects\/([0-9a-f-]{36})/)?.[1];
  if (!id) throw new Error("no project id in URL");
  return { id };
}

async function openBilling(page: Page) {
  await page.goto("/billing");
  await expect(page.getByTestId("billing-tier")).toBeVisible({ timeout: 90_000 });
}

/** Test checkout (no STRIPE_SECRET_KEY on the dev server): the labelled page, then Pay → signed webhook → back on Billing. */
async function payOnTestCheckout(page: Page) {
  await expect(page).toHaveURL(/\/billing\/test-checkout\/cs_test_arbor_/, { timeout: 90_000 });
  await expect(page.getByText("Test checkout — no real payment")).toBeVisible();
  await shot(page, "test-checkout");
  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await expect(page).toHaveURL(/\/billing\?checkout=success/, { timeout: 180_000 });
  await expect(page.getByText("Payment received.")).toBeVisible();
}

test.describe.configure({ timeout: 600_000 });

test("free user out of budget → Escalate refused → upgrade through checkout → managed → escalation works; credits; usage chart", async ({ page }) => {
  await signUpPatiently(page);
  const project = await createProjectPatiently(page);

  // A new account is Free with the $1.00 monthly allowance.
  await openBilling(page);
  await expect(page.getByTestId("billing-tier")).toHaveText("Free");
  await expect(page.getByText("of $1.00 this month")).toBeVisible();
  await shot(page, "free");

  // The person caps their own spending far below one cloud answer's worst case.
  await page.getByLabel("Monthly spending ceiling (USD)").fill("0.01");
  await page.getByRole("button", { name: "Save ceiling" }).click();
  await expect(page.getByText("Ceiling set to $0.01 a month.")).toBeVisible();

  await openChatTab(page, project.id);
  await ask(page, "What is our refund policy?");
  const local = answers(page).first();
  await expectAnswerDone(local);
  await local.getByRole("button", { name: "Escalate", exact: true }).click();
  // Refused before any cloud call, with what to do.
  await expect(page.getByText(/pass your spending ceiling of \$0\.01.*Raise the ceiling on the Billing page/)).toBeVisible({ timeout: 60_000 });
  await shot(page, "refused");

  // Upgrade through Checkout; the webhook makes the account Managed.
  await openBilling(page);
  await page.getByRole("button", { name: "Upgrade to Managed" }).click();
  await payOnTestCheckout(page);
  await expect(page.getByTestId("billing-tier")).toHaveText("Managed");
  await page.getByRole("button", { name: "Remove ceiling" }).click();
  await expect(page.getByText("Ceiling removed.")).toBeVisible();
  await shot(page, "managed");

  // Escalation works again (a new chat), now billed at cost + 3 %.
  await openChatTab(page, project.id);
  await ask(page, "And the warranty terms?");
  const second = answers(page).first();
  await expectAnswerDone(second);
  await second.getByRole("button", { name: "Escalate", exact: true }).click();
  const cloud = answers(page).first();
  await expect(cloud).toContainText("fake Claude", { timeout: 60_000 });
  await expectAnswerDone(cloud);
  await expect(cloud.getByLabel("Answer details")).toContainText("Cloud");

  // Buy credits: $20 through the same checkout and webhook.
  await openBilling(page);
  await page.getByLabel("Amount in dollars").fill("20");
  await page.getByRole("button", { name: "Buy credits" }).click();
  await payOnTestCheckout(page);
  await expect(page.getByText("$20.00", { exact: true })).toBeVisible();

  // The usage chart shows today's cost.
  await expect(page.getByRole("figure", { name: /Daily cost/ })).toBeVisible();
  await expect(page.getByTestId("usage-today")).toHaveText(/Today: \$0\.0\d+ across 1 requests/);
  await expect(page.getByRole("region", { name: "By model" })).toContainText("claude-");
  await shot(page, "usage");
});

test("the project Billing tab is the owner's; out-of-range credit amounts are refused", async ({ page }) => {
  await signUpPatiently(page);
  const project = await createProjectPatiently(page);
  await page.goto(`/projects/${project.id}/billing`);
  await expect(page.getByRole("heading", { name: "Who pays" })).toBeVisible({ timeout: 90_000 });
  await expect(page.getByRole("heading", { name: "Usage" })).toBeVisible();

  await openBilling(page);
  await page.getByLabel("Amount in dollars").fill("4");
  await page.getByRole("button", { name: "Buy credits" }).click();
  await expect(page.getByText("Credits can be bought from $5.00 to $500.00, in whole cents.")).toBeVisible();
});
