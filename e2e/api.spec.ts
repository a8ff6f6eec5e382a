import path from "node:path";
import { expect } from "@playwright/test";
import { runShellBlocks, shellBlocks } from "./support/api-docs";
import { newProject, signUpPatiently, test } from "./support/chat-helpers";

test.setTimeout(180_000);

test("create an access token on the account page, run docs/api.md's curl examples with it as written, revoke it", async ({ page, baseURL }) => {
  await signUpPatiently(page);
  const project = await newProject(page);

  await page.goto("/account");
  await expect(page.getByText("No tokens yet.")).toBeVisible();
  await page.getByLabel("Token name").fill("docs examples");
  await page.getByLabel("Expires after").selectOption({ label: "7 days" });
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByLabel("New access token");
  await expect(shown).toHaveValue(/^arbor_pat_[0-9A-Za-z]{40}$/);
  const token = await shown.inputValue();
  const row = page.getByRole("row", { name: "Token docs examples" });
  await expect(row).toContainText(token.slice(0, 16));
  await expect(row).toContainText("Never");
  await page.screenshot({ path: "screenshots/api-token-created.png", fullPage: true });

  const blocks = shellBlocks(path.join(import.meta.dirname, "..", "docs", "api.md"));
  expect(blocks.length).toBeGreaterThanOrEqual(6);
  const results = await runShellBlocks(blocks, { ARBOR_URL: baseURL ?? "", ARBOR_TOKEN: token, PROJECT_ID: project.id });
  results.forEach((result, i) => {
    const block = blocks[i];
    const label = `block ${i + 1} (${block?.heading}):\n${block?.code}\n→ ${result.output}`;
    expect(result.status, label).toBe(0);
    if (block?.expect) expect(result.output, label).toContain(block.expect);
  });

  // The answers the script asked for are in the project, like any other chat.
  await page.goto(`/projects/${project.id}/chat`);
  await expect(page.getByRole("link", { name: /handbook say about holidays/ })).toBeVisible();

  await page.goto("/account");
  await expect(row).toContainText(/from \S+/);
  await row.getByRole("button", { name: "Revoke docs examples" }).click();
  await expect(row).toContainText("Revoked");
  const refused = await page.request.get(`/api/chat/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`, { headers: { authorization: `Bearer ${token}`, cookie: "" } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe("unauthorized:token_revoked");
  await page.reload();
  await expect(page.getByText("Access token revoked")).toBeVisible();
  await expect(page.getByText("Access token created")).toBeVisible();
});
