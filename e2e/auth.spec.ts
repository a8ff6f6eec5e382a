import { expect, test } from "@playwright/test";
import { createProject, formAlert, linkFromMail, PASSWORD, signIn, signOut, signUp, uniqueEmail } from "./support/auth";

test("sign up, verify by mail, sign out, sign in, create a project", async ({ page }) => {
  const { email } = await signUp(page, { email: uniqueEmail("ada"), name: "Ada" });
  await expect(page.getByText(/Verify your email/)).toBeVisible();

  const link = await linkFromMail(page, email, /Verify your email/);
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Email verified" })).toBeVisible();
  // A verification link works once.
  await page.goto(link);
  await expect(page.getByText("already been used")).toBeVisible();

  await page.goto("/dashboard");
  await expect(page.getByText(/Verify your email/)).toHaveCount(0);
  await signOut(page);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fdashboard/);

  await signIn(page, email);
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByText("No projects yet")).toBeVisible();
  const { title } = await createProject(page, "Thesis research");
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  for (const tab of ["Chat", "Canvas", "Knowledge", "Members", "Billing", "Settings"]) {
    await expect(page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: tab })).toBeVisible();
  }
  await page.goto("/dashboard");
  await expect(page.getByRole("link", { name: /Thesis research/ })).toContainText("owner");
});

test("bad sign-up input gets clear messages", async ({ page }) => {
  const { email } = await signUp(page);
  await signOut(page);
  await page.goto("/sign-up");
  await page.getByLabel("Email", { exact: true }).fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Use at least 10 characters")).toBeVisible();
  await page.getByLabel("Email", { exact: true }).fill(email.toUpperCase());
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  // The form does not say the address has an account; its owner gets a mail saying someone tried.
  await expect(page.getByText(`We sent a mail to ${email}`)).toBeVisible();
  await expect(page).toHaveURL(/\/sign-up/);
  const link = await linkFromMail(page, email, /tried to sign up/);
  expect(link).toContain("/sign-in");
});

test("five wrong passwords lock the account with a plain message", async ({ page }) => {
  const { email } = await signUp(page);
  await signOut(page);
  for (let i = 0; i < 5; i++) {
    await signIn(page, email, "wrong password!");
    await expect(formAlert(page)).toBeVisible();
  }
  await expect(formAlert(page)).toContainText("locked for 15 minutes");
  // Even the right password is refused while locked.
  await signIn(page, email, PASSWORD);
  await expect(formAlert(page)).toContainText("locked");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("magic-link sign-in", async ({ page }) => {
  const { email } = await signUp(page);
  await signOut(page);
  await page.goto("/sign-in");
  await page.getByLabel("Email for a sign-in link").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  const link = await linkFromMail(page, email, /sign-in link/);
  await page.goto(link);
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  // Reused magic link: a clear message, not a crash.
  await signOut(page);
  await page.goto(link);
  await expect(page.getByText(/expired or was already used/)).toBeVisible();
});

test("password reset by mail", async ({ page }) => {
  const { email } = await signUp(page);
  await signOut(page);
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText(/reset link is on its way/)).toBeVisible();
  const link = await linkFromMail(page, email, /Reset your Arbor password/);
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill("a brand new password");
  await page.getByLabel("Confirm new password").fill("a brand new password");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("Your password was changed")).toBeVisible();
  await signIn(page, email, PASSWORD);
  await expect(formAlert(page)).toContainText("don't match");
  await signIn(page, email, "a brand new password");
  await expect(page).toHaveURL(/\/dashboard/);
  // The link works once.
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill("another new password");
  await page.getByLabel("Confirm new password").fill("another new password");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(formAlert(page)).toContainText("already been used");
});

test("unknown and foreign project ids show a 404 page", async ({ page, browser }) => {
  await signUp(page);
  const { id } = await createProject(page);
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signUp(otherPage);
  await otherPage.goto(`/projects/${id}`);
  await expect(otherPage.getByRole("heading", { name: "Not found" })).toBeVisible();
  await otherPage.goto("/projects/00000000-0000-4000-8000-000000000000/settings");
  await expect(otherPage.getByRole("heading", { name: "Not found" })).toBeVisible();
  await other.close();
});

test("health reports the database", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: "ok", db: "ok" });
});
