import { randomBytes } from "node:crypto";
import { type Browser, type Page, expect } from "@playwright/test";

export const PASSWORD = "correct horse battery";

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${randomBytes(4).toString("hex")}@example.com`;
}

/** Sign up through the form; lands on the dashboard signed in. */
export async function signUp(page: Page, { email = uniqueEmail(), password = PASSWORD, name = "" } = {}, next?: string) {
  await page.goto(next ? `/sign-up?next=${encodeURIComponent(next)}` : "/sign-up");
  await hydrated(page);
  if (name) await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  if (!next) await expect(page).toHaveURL(/\/dashboard/);
  return { email, password };
}

export async function signIn(page: Page, email: string, password = PASSWORD, next?: string) {
  await page.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in");
  await hydrated(page);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

/**
 * Open the newest mail to `to` (optionally whose subject matches) in the dev
 * mailbox and return its first link. Polls, because mail is written by the server asynchronously.
 */
export async function linkFromMail(page: Page, to: string, subject?: RegExp): Promise<string> {
  let link: string | null = null;
  await expect(async () => {
    await page.goto("/dev/mailbox");
    const mails = page.getByRole("article").filter({ hasText: `To: ${to}` });
    const mail = subject ? mails.filter({ hasText: subject }).first() : mails.first();
    await expect(mail).toBeVisible({ timeout: 1000 });
    link = await mail.getByRole("link").first().getAttribute("href");
    expect(link).toBeTruthy();
  }).toPass({ timeout: 20_000 });
  return link as unknown as string;
}

/**
 * Follow the verification mail, as a person would: the Free plan's cloud
 * allowance waits for it (docs/billing.md), so journeys that escalate verify first.
 */
export async function verifyEmail(page: Page, email: string) {
  const link = await linkFromMail(page, email, /Verify your email/);
  const url = new URL(link);
  await page.goto(url.pathname + url.search);
  await expect(page.getByRole("heading", { name: "Email verified" })).toBeVisible();
}

/** A new signed-in person in their own browser context (for multi-user journeys). */
export async function newPerson(browser: Browser, prefix = "user") {
  const context = await browser.newContext();
  const page = await context.newPage();
  const creds = await signUp(page, { email: uniqueEmail(prefix) });
  return { context, page, ...creds };
}

/** Create a project from the dashboard and return its id (the page ends on the project). */
export async function createProject(page: Page, title = `Project ${randomBytes(2).toString("hex")}`) {
  await page.goto("/dashboard");
  await hydrated(page);
  await page.getByLabel("Project name").fill(title);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/projects\/[0-9a-f-]{36}/);
  const id = page.url().match(/projects\/([0-9a-f-]{36})/)?.[1];
  if (!id) throw new Error("no project id in URL");
  return { id, title };
}

/** The form's own alert (Next.js adds an empty route-announcer alert to every page). */
export function formAlert(page: Page) {
  return page.locator('[role="alert"]:not(#__next-route-announcer__)');
}

/**
 * Wait until React has hydrated the page: a click before that submits the bare
 * HTML form (a GET with the fields in the URL) instead of running its action.
 */
export async function hydrated(page: Page) {
  await page.waitForLoadState("networkidle");
}
