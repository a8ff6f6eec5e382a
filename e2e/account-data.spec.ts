import { expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { strFromU8, unzipSync } from "fflate";
import { hydrated, signIn } from "./support/auth";
import { answers, ask, expectAnswerDone, newProject, openChatTab, signUpPatiently, test } from "./support/chat-helpers";

test.setTimeout(240_000);

test("change the theme and the time zone: the page turns dark before it paints, and dates shift", async ({ page }) => {
  const cspErrors: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  await signUpPatiently(page, undefined, { verified: false });
  await page.goto("/account");
  await hydrated(page);
  const created = page.getByRole("listitem").filter({ hasText: "Account created" }).locator("time");
  const iso = await created.getAttribute("datetime");
  if (!iso) throw new Error("no datetime");
  const utcText = (await created.textContent()) ?? "";
  expect(utcText).toBe(new Intl.DateTimeFormat("en-US", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso)));

  // Time zone: Asia/Kathmandu is UTC+5:45, so the minutes move too.
  await page.getByLabel("Time zone").selectOption("Asia/Kathmandu");
  await page.getByRole("button", { name: "Save time zone" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Time zone saved." })).toBeVisible();
  const kathmandu = new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Kathmandu", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
  await expect(created).toHaveText(kathmandu);
  expect(kathmandu).not.toBe(utcText);
  await page.reload();
  await expect(page.getByRole("listitem").filter({ hasText: "Account created" }).locator("time")).toHaveText(kathmandu);

  // Name
  await page.getByLabel("Name", { exact: true }).fill("Dana Dark");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("link", { name: "Dana Dark" })).toBeVisible();

  // Theme: dark at once, and in the server's HTML on the next load (no flash: the class is there before any script runs).
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.getByRole("radio", { name: "Dark" }).check();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.screenshot({ path: "screenshots/account-dark.png", fullPage: true });
  await expect(async () => {
    const html = await (await page.request.get("/dashboard")).text();
    expect(html).toMatch(/<html[^>]*class="dark"/);
  }).toPass({ timeout: 10_000 });
  await page.goto("/dashboard");
  await expect(page.locator("html")).toHaveClass(/dark/);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).not.toMatch(/rgb\(2[45]\d, 2[45]\d, 2[45]\d\)|oklch\(0\.98/);

  // System: follows the browser's colour scheme, resolved by the inline script before paint.
  await page.goto("/account");
  await hydrated(page);
  await page.getByRole("radio", { name: "Same as my system" }).check();
  await page.emulateMedia({ colorScheme: "light" });
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.getByRole("radio", { name: "Light" }).check();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.screenshot({ path: "screenshots/account-light.png", fullPage: true });
  expect(cspErrors).toEqual([]);
});

test("sign-up says what signing up accepts, with the versions, and the texts are public", async ({ page }) => {
  await page.goto("/sign-up");
  const note = page.getByText(/By signing up you accept the Terms and the Privacy notice \(version \d{4}-\d{2}-\d{2}\)/);
  await expect(note).toBeVisible();
  await page.screenshot({ path: "screenshots/account-sign-up-consent.png" });
  await note.getByRole("link", { name: "Terms" }).click();
  await expect(page.getByRole("heading", { name: "Terms of use" })).toBeVisible();
  await page.getByRole("link", { name: "Privacy notice" }).click();
  await expect(page.getByRole("heading", { name: "Privacy notice" })).toBeVisible();
});

test("export: the zip built in the background holds the chat's branch as Markdown", async ({ page }) => {
  await signUpPatiently(page, undefined, { verified: false });
  const project = await newProject(page, "Export garden");
  await openChatTab(page, project.id);
  await ask(page, "Which beans climb best?");
  await expectAnswerDone(answers(page).first());
  await page.goto("/account#export");
  await page.getByRole("button", { name: "Export my data" }).click();
  const download = page.getByRole("button", { name: "Download export" });
  await expect(download).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: "screenshots/account-export-ready.png", fullPage: true });
  const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
  const path = await file.path();
  const files = unzipSync(new Uint8Array(readFileSync(path)));
  const markdown = Object.entries(files).filter(([name]) => /\/chats\/[^/]+\/branches\/[^/]+\.md$/.test(name));
  expect(markdown.length).toBeGreaterThan(0);
  expect(markdown.some(([, bytes]) => strFromU8(bytes).includes("Which beans climb best?"))).toBe(true);
  expect(Object.keys(files).some((n) => n.endsWith("/tree.json"))).toBe(true);
});

test("schedule deletion, then cancel it by signing in", async ({ page }) => {
  const { email } = await signUpPatiently(page, undefined, { verified: false });
  await page.goto("/account#delete");
  await page.getByRole("button", { name: "Delete my account…" }).click();
  await page.getByLabel(`Type ${email} to confirm`).fill(email);
  await page.getByRole("button", { name: "Delete my account in 14 days" }).click();
  await expect(page.getByText(/Your account will be deleted on .+ signing in cancels the deletion/)).toBeVisible();
  await page.screenshot({ path: "screenshots/account-deletion-scheduled.png", fullPage: true });
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/, { timeout: 60_000 });
  await signIn(page, email);
  await expect(page.getByRole("status").filter({ hasText: "your account deletion was cancelled" })).toBeVisible({ timeout: 60_000 });
  await page.goto("/account#delete");
  await expect(page.getByText("Your account deletion was cancelled because you signed in")).toBeVisible();
  await expect(page.getByRole("button", { name: "Delete my account…" })).toBeVisible();
});
