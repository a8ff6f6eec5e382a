import { expect } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, signUpPatiently, test } from "./support/chat-helpers";
import { signOut } from "./support/auth";

test.setTimeout(240_000);

// The fake OpenAI-compatible server (testing/fakes/local-model.ts) that playwright.config.ts allows as a provider host.
const FAKE_PROVIDER = `http://127.0.0.1:${4011 + Number(process.env.E2E_PORT_OFFSET ?? 0)}/v1`;
const OPERATOR = "operator@providers.e2e.test";

async function shot(page: import("@playwright/test").Page, name: string) {
  await page.screenshot({ path: `screenshots/providers-${name}.png`, fullPage: true });
}

test("an owner adds their own OpenAI-compatible provider on an allowed host, prices a model, answers with it and sees its cost", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page);
  await page.goto(`/projects/${project.id}/settings`);
  const add = page.getByRole("form", { name: "Add a provider" });
  await add.getByLabel("Provider name").fill("House GPU");
  // A loopback address the operator did not allow is refused before anything is asked.
  await add.getByLabel("Base URL").fill("http://127.0.0.1:1/v1");
  await add.getByRole("button", { name: "Add provider" }).click();
  await expect(add.getByRole("alert")).toContainText("is a loopback address (this server itself)");
  await add.getByLabel("Base URL").fill(FAKE_PROVIDER);
  await add.getByLabel("API key").fill("sk-e2e-provider-key-123456");
  await add.getByRole("button", { name: "Add provider" }).click();

  const card = page.getByRole("region", { name: "House GPU" });
  await expect(card).toContainText("key sk-…3456");
  await expect(page.locator("body")).not.toContainText("sk-e2e-provider-key-123456");
  const input = card.getByLabel("Input price of fake-large (USD per million tokens)");
  const output = card.getByLabel("Output price of fake-large (USD per million tokens)");
  await input.fill("-1");
  await output.fill("15");
  await card.getByRole("button", { name: "Save prices" }).click();
  await expect(card.getByRole("alert")).toHaveText("The input price cannot be negative.");
  await input.fill("3000");
  await card.getByRole("button", { name: "Save prices" }).click();
  await expect(card.getByRole("alert")).toContainText("more than the $1,000.00 Arbor accepts");
  await input.fill("3");
  await card.getByRole("button", { name: "Save prices" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Prices for House GPU were saved" })).toBeVisible();
  await shot(page, "settings");

  await openChatTab(page, project.id);
  const picker = page.getByLabel("Model", { exact: true });
  await expect(picker.locator("option")).toContainText(["House GPU · fake-large"]);
  await picker.selectOption({ label: "House GPU · fake-large" });
  await page.getByLabel("Message", { exact: true }).fill("What is loam?");
  // The hold is the request's bytes and max_tokens at the owner's prices.
  await expect(page.getByRole("status", { name: "Hold estimate" })).toHaveText(/^Up to \$0\.\d+$/);
  await ask(page, "What is loam?");
  const answer = answers(page).first();
  await expectAnswerDone(answer);
  await expect(answer).toContainText("Local model answer to: What is loam?");
  const badge = answer.getByLabel("Answer details");
  await expect(badge).toContainText("Cloud");
  await expect(badge).toContainText("fake-large");
  await expect(badge).toContainText(/\$0\.0\d{5}/);
  await expect(badge).not.toContainText("$0.000000");
  await shot(page, "answer");
});

test("an operator edits a model price on the admin page; anyone else gets a 404 there", async ({ page }) => {
  await signUpPatiently(page);
  const response = await page.goto("/admin/model-prices");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("link", { name: "Model prices" })).toHaveCount(0);
  await signOut(page);

  await signUpPatiently(page, OPERATOR);
  // signing up with a chosen address ends on its "Email verified" page; the operator's link is in the app's header
  await page.goto("/dashboard");
  await page.getByRole("link", { name: "Model prices" }).click();
  await expect(page.getByRole("heading", { name: "Model prices" })).toBeVisible();
  const haiku = page.getByRole("form", { name: "Claude Haiku 5.5" });
  const input = haiku.getByLabel("Input price of Claude Haiku 5.5 (USD per million tokens)");
  await expect(input).toHaveValue("0.1");
  await input.fill("-0.5");
  await haiku.getByRole("button", { name: "Save the price of Claude Haiku 5.5" }).click();
  await expect(haiku.getByRole("alert")).toHaveText("The input price cannot be negative.");
  await input.fill("0.2");
  await haiku.getByRole("button", { name: "Save the price of Claude Haiku 5.5" }).click();
  await expect(haiku.getByRole("status")).toContainText("Claude Haiku 5.5 saved: $0.20 in, $0.50 out per million tokens, for new answers.");
  await shot(page, "admin");
  await page.reload();
  const again = page.getByRole("form", { name: "Claude Haiku 5.5" });
  await expect(again.getByLabel("Input price of Claude Haiku 5.5 (USD per million tokens)")).toHaveValue("0.2");
  // Back to the list price, so journeys after this one see the prices they expect.
  await again.getByLabel("Input price of Claude Haiku 5.5 (USD per million tokens)").fill("0.1");
  await again.getByRole("button", { name: "Save the price of Claude Haiku 5.5" }).click();
  await expect(again.getByRole("status")).toContainText("$0.10 in");
});
