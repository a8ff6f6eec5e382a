import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { makeLoraSafetensors } from "../testing/lora-file";
import { hydrated } from "./support/auth";
import { answers, ask, expectAnswerDone, newProject, openChatTab, signUpPatiently, test } from "./support/chat-helpers";

/**
 * Layout defects a person saw on screenshots, each kept fixed: the chat list
 * at the top beside a long thread, the project icon where no emoji font is
 * installed, the adapter form emptied after an upload, the account page's
 * section index.
 */
test.setTimeout(300_000);

const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: `screenshots/layout-${name}.png`, fullPage });

/** The top of an element in page coordinates (not the viewport's). */
const pageTop = (page: Page, selector: Parameters<Page["locator"]>[0]) =>
  page.locator(selector).first().evaluate((el) => el.getBoundingClientRect().top + window.scrollY);

test("the chat list sits at the top beside a long thread", async ({ page }) => {
  await signUpPatiently(page, undefined, { verified: false });
  const project = await newProject(page, "Long thread");
  await openChatTab(page, project.id);
  for (let i = 1; i <= 4; i += 1) {
    await ask(page, `Question number ${i}: tell me about the soil layers and how roots find water in a dry summer.`);
    await expect(answers(page)).toHaveCount(i, { timeout: 90_000 });
    await expectAnswerDone(answers(page).nth(i - 1));
  }
  // The thread is much taller than the window; the page followed it down.
  const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  expect(pageHeight).toBeGreaterThan(1.5 * (page.viewportSize()?.height ?? 720));
  await shot(page, "chat-long-thread");
  const listTop = await pageTop(page, "nav[aria-label='Chats']");
  const threadTop = await pageTop(page, "article");
  // The list starts with the thread (beside its title), not halfway down it.
  expect(listTop).toBeLessThanOrEqual(threadTop);
  // Scrolled to the top, the list is where the thread starts, in view.
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(page.getByRole("navigation", { name: "Chats" })).toBeInViewport();
  await shot(page, "chat-long-thread-top", false);
});

test("the project title degrades to a letter tile where no font draws its emoji", async ({ page }) => {
  const emojiFonts = execFileSync("sh", ["-c", "fc-list | grep -ci emoji || true"]).toString().trim();
  test.skip(emojiFonts !== "0", "this machine has an emoji font, so the emoji itself is shown");
  await signUpPatiently(page, undefined, { verified: false });
  const project = await newProject(page, "Garden plans");
  await page.goto(`/projects/${project.id}`);
  const title = page.getByRole("heading", { level: 1 });
  await expect(title).toContainText("Garden plans");
  await expect(title.getByTestId("project-icon-fallback")).toHaveText("G");
  // The tile is decoration: the heading's name is the title alone.
  await expect(page.getByRole("heading", { level: 1, name: "Garden plans", exact: true })).toBeVisible();
  await page.goto("/dashboard");
  await expect(page.getByRole("link", { name: /Garden plans/ }).getByTestId("project-icon-fallback")).toHaveText("G");
  await page.goto(`/projects/${project.id}`);
  await shot(page, "project-title", false);
});

test("after an upload the adapter form is empty again", async ({ page }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "arbor-form-"));
  const file = path.join(dir, "tiny-tone.safetensors");
  writeFileSync(file, makeLoraSafetensors({ rank: 2, hidden: 64, layers: 1 }));
  try {
    await signUpPatiently(page, undefined, { verified: false });
    const project = await newProject(page, "Adapters form");
    await page.goto(`/projects/${project.id}/adapters`);
    await hydrated(page);
    await page.getByLabel("Adapter file").setInputFiles(file);
    await page.getByLabel("Name", { exact: true }).fill("Tiny tone");
    await page.getByLabel("Base model").fill("meta-llama/Llama-3.1-8B-Instruct");
    await page.getByLabel("Served name (optional)").fill("tiny-tone");
    await page.getByRole("button", { name: "Upload adapter" }).click();
    await expect(page.getByText(/Uploaded \d+(\.\d)? (KB|kB|B|MB)\./)).toBeVisible({ timeout: 90_000 });
    await expect(page.getByRole("listitem", { name: "Tiny tone" })).toBeVisible();
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue("");
    await expect(page.getByLabel("Base model")).toHaveValue("");
    await expect(page.getByLabel("Served name (optional)")).toHaveValue("");
    expect(await page.getByLabel("Adapter file").evaluate((el) => (el as HTMLInputElement).files?.length ?? 0)).toBe(0);
    await shot(page, "adapter-form-after-upload");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the account page has a section index that stays in view and leads to each card", async ({ page }) => {
  await signUpPatiently(page, undefined, { verified: false });
  await page.goto("/account");
  await hydrated(page);
  const index = page.getByRole("navigation", { name: "Account sections" });
  const links = index.getByRole("link");
  await expect(links).toHaveCount(11);
  await expect(links.first()).toHaveText("Profile");
  // Every link leads to a named region of the page.
  for (const link of await links.all()) {
    const target = ((await link.getAttribute("href")) ?? "").slice(1);
    await expect(page.locator(`section#${target}`)).toHaveAttribute("aria-labelledby", `${target}-title`);
  }
  await shot(page, "account-index", false);
  await index.getByRole("link", { name: "Sessions" }).click();
  await expect(page).toHaveURL(/#sessions$/);
  await expect(page.getByRole("region", { name: "Where you are signed in" })).toBeInViewport();
  await expect(index).toBeInViewport();
  await expect(index.getByRole("link", { name: "Sessions" })).toHaveAttribute("aria-current", "location");
  await shot(page, "account-index-sessions", false);
  await index.getByRole("link", { name: "Security activity" }).click();
  await expect(page.getByRole("region", { name: "Recent security activity" })).toBeInViewport();
  await expect(index).toBeInViewport();

  // On a narrow screen the index is a row above the cards, still in view while scrolling.
  await page.setViewportSize({ width: 390, height: 800 });
  await index.getByRole("link", { name: "Profile" }).click();
  await page.getByRole("region", { name: "Delete your account" }).scrollIntoViewIfNeeded();
  await expect(index).toBeInViewport();
  await shot(page, "account-index-narrow", false);
});
