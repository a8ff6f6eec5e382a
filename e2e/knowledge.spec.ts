import { type Page, expect } from "@playwright/test";
import { makePdf } from "../testing/documents/make-pdf";
import { signUp } from "./support/auth";
import { answers, ask, expectAnswerDone, newProject, openChatTab, test } from "./support/chat-helpers";

// Journeys on the shared dev server: sign-up, uploads and processing under load take a while.
test.describe.configure({ timeout: 240_000 });

const ORCHARD = `# Orchard handbook

## Pruning

Prune apple trees in late winter, while they are dormant and before the buds break. Remove crossing branches first.

## Watering

Young trees need deep watering once a week during their first summer.`;

// A real PDF, so the journey also proves pdf.js runs inside the Next.js server.
const BEES = makePdf([["Mason bees pollinate fruit blossom early in spring.", "Leave hollow stems standing so they can nest."]]);

/** The shared dev server can be slow to hash a password under load; wait for the dashboard patiently. */
async function patientSignUp(page: Page) {
  await signUp(page, {}, "/dashboard");
  await page.waitForURL(/\/dashboard/, { timeout: 90_000 });
}

async function openKnowledge(page: Page, projectId: string) {
  await page.goto(`/projects/${projectId}/knowledge`);
  await expect(page.getByText("Drag files here, or")).toBeVisible({ timeout: 90_000 });
}

async function fillVault(page: Page, projectId: string) {
  await openKnowledge(page, projectId);
  await page.getByLabel("Choose files").setInputFiles([
    { name: "orchard.md", mimeType: "text/markdown", buffer: Buffer.from(ORCHARD) },
    { name: "bees.pdf", mimeType: "application/pdf", buffer: Buffer.from(BEES) },
  ]);
  await expect(page.getByRole("list", { name: "Uploads" }).getByText("uploaded")).toHaveCount(2);

  await page.getByText("Paste text").click();
  await page.getByLabel("Note title").fill("Compost note");
  await page.getByLabel("Note text").fill("Turn the compost heap every two weeks; it needs both greens and browns.");
  await page.getByRole("button", { name: "Add note" }).click();

  const rows = page.getByTestId("source-row");
  await expect(rows).toHaveCount(3);
  for (const title of ["orchard.md", "bees.pdf", "Compost note"]) {
    await expect(rows.filter({ hasText: title }).getByText("ready", { exact: true })).toBeVisible({ timeout: 30_000 });
  }
  await expect(page.getByTestId("storage-used")).toContainText("of 1.00 GB used");
}

test("upload two files and paste a note → all ready → search finds them → the viewer highlights the chunk", async ({ page }) => {
  await patientSignUp(page);
  const project = await newProject(page, "Vault journey");
  await fillVault(page, project.id);
  await page.screenshot({ path: "screenshots/knowledge-ready.png", fullPage: true });

  const search = page.getByRole("search");
  await search.getByLabel("Search the vault").fill("when should I prune apple trees?");
  await search.getByRole("button", { name: "Search" }).click();
  const results = page.getByRole("list", { name: "Search results" });
  await expect(results.getByRole("listitem").first()).toContainText("orchard.md");
  await expect(results.locator("mark").first()).toBeVisible();

  await search.getByLabel("Search the vault").fill("pollinate");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(results.getByRole("listitem").first()).toContainText("bees.pdf");

  await results.getByRole("link", { name: /bees\.pdf/ }).first().click();
  await expect(page).toHaveURL(/knowledge\?source=[0-9a-f-]{36}&chunk=[0-9a-f-]{36}/);
  const viewer = page.getByRole("region", { name: "Source viewer" });
  await expect(viewer.getByRole("heading", { name: "bees.pdf" })).toBeVisible({ timeout: 60_000 });
  await expect(viewer.getByTestId("highlighted-chunk")).toContainText("Mason bees pollinate fruit blossom");
  await page.screenshot({ path: "screenshots/knowledge-viewer.png", fullPage: true });

  // a deep link opens the viewer on the cited chunk directly
  const url = page.url();
  await page.goto(url);
  await expect(page.getByTestId("highlighted-chunk")).toBeInViewport({ timeout: 60_000 });
});

test("ask a question → the answer cites [1] → the citation opens the source at the highlighted chunk", async ({ page }) => {
  await patientSignUp(page);
  const project = await newProject(page, "Cited vault");
  await fillVault(page, project.id);

  await openChatTab(page, project.id);
  await ask(page, "When should I prune apple trees?");
  const answer = answers(page).first();
  await expectAnswerDone(answer);
  const citation = answer.getByRole("link", { name: /\[?1\]?/ }).first();
  await expect(citation).toBeVisible();
  await citation.click();
  await expect(page).toHaveURL(/\/knowledge\?source=[0-9a-f-]{36}&chunk=[0-9a-f-]{36}/);
  await expect(page.getByRole("region", { name: "Source viewer" }).getByRole("heading", { name: "orchard.md" })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("highlighted-chunk")).toContainText("Prune apple trees in late winter");
  await page.screenshot({ path: "screenshots/knowledge-cited.png", fullPage: true });
});

test("bad input: a corrupt PDF fails with a reason and can be retried or deleted; private links are refused", async ({ page }) => {
  await patientSignUp(page);
  const project = await newProject(page, "Bad input");
  await openKnowledge(page, project.id);
  await page.getByLabel("Choose files").setInputFiles([
    { name: "broken.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7\nnot really a pdf") },
    { name: "empty.txt", mimeType: "text/plain", buffer: Buffer.alloc(0) },
  ]);
  const uploads = page.getByRole("list", { name: "Uploads" });
  await expect(uploads.getByText("is empty (0 bytes)")).toBeVisible();
  const row = page.getByTestId("source-row").filter({ hasText: "broken.pdf" });
  await expect(row.getByText("failed", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(row).toContainText("This PDF is damaged");
  await row.getByRole("button", { name: "Retry" }).click();
  await expect(row.getByText("failed", { exact: true })).toBeVisible({ timeout: 30_000 });

  await page.getByText("Fetch a web page").click();
  await page.getByLabel("Web page or file link").fill("http://169.254.169.254/latest/meta-data/");
  await page.getByRole("button", { name: "Fetch link" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "link-local" })).toBeVisible();
  await page.screenshot({ path: "screenshots/knowledge-bad-input.png", fullPage: true });

  await row.getByRole("button", { name: "Delete broken.pdf" }).click();
  await row.getByRole("button", { name: "Confirm delete" }).click();
  await expect(page.getByTestId("source-row")).toHaveCount(0);
  await expect(page.getByText("The vault is empty")).toBeVisible();
  await expect(page.getByTestId("storage-used")).toContainText("0 B of 1.00 GB used");
});
