import { expect } from "@playwright/test";
import { hydrated } from "./support/auth";
import { signUpPatiently, test } from "./support/chat-helpers";

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
  const utcText = await created.innerText();
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
