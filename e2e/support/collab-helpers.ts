import { randomBytes } from "node:crypto";
import { type Browser, type Page, expect } from "@playwright/test";
import { PASSWORD, uniqueEmail } from "./auth";

/**
 * Fill a form only once the page is hydrated: on the shared dev server pages
 * compile and Fast-Refresh while other people edit, and typing into a form
 * before React takes it over loses the values.
 */
export async function settle(page: Page) {
  await page.waitForLoadState("networkidle");
}

/** Sign up on the current /sign-up page (reached by a link, so `next` is whatever that link carried). */
export async function fillSignUp(page: Page, email: string, password = PASSWORD) {
  await settle(page);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).not.toHaveURL(/\/sign-up/, { timeout: 90_000 });
}

/** A new signed-up person in their own browser context. */
export async function newSignedUpPerson(browser: Browser, prefix: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const email = uniqueEmail(prefix);
  await page.goto("/sign-up");
  await fillSignUp(page, email);
  await expect(page).toHaveURL(/\/dashboard/);
  return { context, page, email };
}

export async function createProjectSettled(page: Page, title = `Project ${randomBytes(2).toString("hex")}`) {
  await page.goto("/dashboard");
  await settle(page);
  await page.getByLabel("Project name").fill(title);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/projects\/[0-9a-f-]{36}/, { timeout: 90_000 });
  const id = page.url().match(/projects\/([0-9a-f-]{36})/)?.[1];
  if (!id) throw new Error("no project id in URL");
  return { id, title };
}

/** Mail links carry APP_URL's origin; the test server may run elsewhere, so follow the path. */
export function pathOf(link: string): string {
  const url = new URL(link);
  return url.pathname + url.search;
}

export const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/collab-${name}.png`, fullPage: true });
