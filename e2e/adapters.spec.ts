import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Page, expect, test } from "@playwright/test";
import { type FakeLocalModel, startFakeLocalModel } from "../testing/fakes/local-model";
import { makeLoraSafetensors } from "../testing/lora-file";
import { linkFromMail, uniqueEmail } from "./support/auth";
import { answers, ask, expectAnswerDone } from "./support/chat-helpers";
import { createProjectSettled, fillSignUp, pathOf, settle } from "./support/collab-helpers";
import { type ExtraServer, MAIN_PORT, startExtraServer } from "./support/extra-server";

/**
 * The adapters journey (issue "Done when"): a generated 50 MB safetensors LoRA
 * is uploaded, the page reloaded halfway and the upload resumed from the
 * server's offset, verified and ready with its rank and base model; a chat
 * selects it and its local tier — a fake OpenAI-compatible server that records
 * the model it was asked for — answers with the adapter's served name
 * (loraApplied); the project is handed over with its adapters and the new
 * owner finds them. A server of its own, because the main test server has no
 * local model.
 */
test.describe.configure({ timeout: 600_000 });

const shot = (page: Page, name: string) => page.screenshot({ path: `screenshots/adapters-${name}.png`, fullPage: true });

let local: FakeLocalModel;
let server: ExtraServer;
let dir: string;
let loraPath: string;

test.beforeAll(async () => {
  local = await startFakeLocalModel(0);
  server = await startExtraServer(MAIN_PORT + 5, { LOCAL_MODEL_URL: local.url, LOCAL_MODEL_NAME: "fake-llama", RATE_LIMIT_ADDRESS_FACTOR: "1000" });
  dir = mkdtempSync(path.join(os.tmpdir(), "arbor-lora-"));
  loraPath = path.join(dir, "support-tone.safetensors");
  // rank 16 on 4 attention projections of 25 layers, hidden 4096, F32: 52 MB of real LoRA layout
  const lora = makeLoraSafetensors({ rank: 16, hidden: 4096, layers: 25, modules: ["q_proj", "k_proj", "v_proj", "o_proj"], alpha: 32, baseModel: null });
  expect(lora.length).toBeGreaterThan(50 * 1024 * 1024);
  writeFileSync(loraPath, lora);
});

test.afterAll(async () => {
  await server?.stop();
  await local?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function person(browser: import("@playwright/test").Browser, prefix: string) {
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  const email = uniqueEmail(prefix);
  await page.goto("/sign-up");
  await fillSignUp(page, email);
  return { context, page, email };
}

async function fillUpload(page: Page) {
  await settle(page);
  await page.getByLabel("Adapter file").setInputFiles(loraPath);
  await page.getByLabel("Name", { exact: true }).fill("Support tone");
  await page.getByLabel("Base model").fill("meta-llama/Llama-3.1-8B-Instruct");
  await page.getByRole("button", { name: "Upload adapter" }).click();
}

const sentBytes = async (page: Page) => Number((await page.getByLabel("Upload progress").getAttribute("value")) ?? 0);

test("upload a 50 MB LoRA, reload halfway and resume, use it in a chat, hand it over", async ({ browser }) => {
  const owner = await person(browser, "lora-owner");
  const project = await createProjectSettled(owner.page, "Tuned support");
  await owner.page.goto(`/projects/${project.id}/adapters`);
  await expect(owner.page.getByText("No adapters yet")).toBeVisible();
  await shot(owner.page, "empty");

  // Slow the chunks down (as a slow uplink would), so the reload lands halfway.
  await owner.page.route("**/api/adapters/upload/**", async (route) => {
    if (route.request().method() === "PATCH") await new Promise((r) => setTimeout(r, 2_500));
    // The reload aborts the chunk held here; continuing a request the page gave up on is no failure of the app.
    await route.continue().catch((error: Error) => expect(error.message).toMatch(/already handled|closed|Target/));
  });
  await fillUpload(owner.page);
  await expect(owner.page.getByTestId("upload-progress")).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => sentBytes(owner.page), { timeout: 60_000 }).toBeGreaterThan(17 * 1024 * 1024);
  await expect(owner.page.getByTestId("upload-progress")).toContainText(/MB\/s · .* left/);
  await shot(owner.page, "uploading");
  await owner.page.getByRole("button", { name: "Pause" }).click();
  await expect(owner.page.getByTestId("upload-progress")).toContainText("paused");
  await owner.page.getByRole("button", { name: "Resume" }).click();
  await expect(owner.page.getByTestId("upload-progress")).not.toContainText("paused");

  // Reload halfway: the registry shows the upload as unfinished; choosing the same file resumes it.
  await owner.page.reload();
  const entry = owner.page.getByRole("listitem", { name: "Support tone" });
  await expect(entry.getByText("uploading")).toBeVisible();
  await expect(entry.getByText(/Choose the same file above to resume/)).toBeVisible();
  await shot(owner.page, "after-reload");
  await owner.page.unroute("**/api/adapters/upload/**");
  await fillUpload(owner.page);
  await expect(owner.page.getByTestId("upload-progress")).toContainText(/resumed at (8|16|24|32|40)\.0 MB/, { timeout: 30_000 });
  await expect(owner.page.getByText(/Uploaded \d+\.\d MB\./)).toBeVisible({ timeout: 120_000 });

  // Verified and ready, with what the header says; the form says so too (not "verifying" forever).
  await expect(entry.getByText("ready", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(owner.page.getByRole("status").filter({ hasText: "Verified: it is ready in the registry below." })).toBeVisible();
  await expect(owner.page.getByText(/The server is verifying it now/)).toHaveCount(0);
  await expect(entry.getByText("meta-llama/Llama-3.1-8B-Instruct")).toBeVisible();
  await expect(entry.getByText("k_proj, o_proj, q_proj, v_proj")).toBeVisible();
  const facts = entry.locator("dl");
  await expect(facts.getByText("Rank").locator("..")).toContainText("16");
  await expect(facts.getByText("Alpha").locator("..")).toContainText("32");
  await expect(facts.getByText("Served as").locator("..")).toContainText("support-tone");
  await expect(owner.page.getByRole("list", { name: "Adapters" }).getByRole("listitem")).toHaveCount(1);
  await shot(owner.page, "ready");

  // A chat selects it; its local tier is asked for the served name.
  await owner.page.goto(`/projects/${project.id}/chat`);
  await ask(owner.page, "Hello there");
  await expectAnswerDone(answers(owner.page).first());
  await owner.page.getByLabel("Adapter", { exact: true }).selectOption({ label: "Support tone · rank 16" });
  const before = local.requests.length;
  await ask(owner.page, "How should I greet a customer?");
  await expect(answers(owner.page)).toHaveCount(2, { timeout: 60_000 });
  await expectAnswerDone(answers(owner.page).last());
  const asked = local.requests.slice(before).filter((r) => (r as { stream?: boolean }).stream).map((r) => (r as { model: string }).model);
  expect(asked).toEqual(["support-tone"]);
  await expect(answers(owner.page).last().getByTestId("message-adapter")).toHaveText("LoRA applied: Support tone");
  await shot(owner.page, "chat-lora-applied");

  await owner.page.goto(`/projects/${project.id}/adapters`);
  await expect(entry.locator("dl").getByText("Uses").locator("..")).toContainText("1");
  await expect(entry.locator("dl").getByText("Last used").locator("..")).not.toContainText("never");

  // A new chat chooses it before its first message, and that first answer already uses it.
  await owner.page.goto(`/projects/${project.id}/chat`);
  await owner.page.getByLabel("Adapter", { exact: true }).selectOption({ label: "Support tone · rank 16" });
  const beforeNew = local.requests.length;
  await ask(owner.page, "A first question in a new chat");
  await expectAnswerDone(answers(owner.page).first());
  const askedNew = local.requests.slice(beforeNew).filter((r) => (r as { stream?: boolean }).stream).map((r) => (r as { model: string }).model);
  expect(askedNew).toEqual(["support-tone"]);
  await expect(answers(owner.page).first().getByTestId("message-adapter")).toHaveText("LoRA applied: Support tone");
  await shot(owner.page, "new-chat-lora-applied");

  // An agent chooses it on the Agents page; the choice is saved on the agent.
  await owner.page.goto(`/projects/${project.id}/agents`);
  await owner.page.getByRole("button", { name: "New agent" }).click({ timeout: 90_000 });
  await owner.page.getByRole("form", { name: "New agent" }).getByLabel("Agent name").fill("Greeter");
  await owner.page.getByRole("button", { name: "Save agent" }).click();
  await owner.page.getByLabel("Adapter for Greeter").selectOption({ label: "Support tone · rank 16" });
  await expect(owner.page.getByLabel("Adapter for Greeter")).toBeEnabled();
  await owner.page.waitForLoadState("networkidle");
  await owner.page.reload();
  await expect(owner.page.getByLabel("Adapter for Greeter").locator("option:checked")).toHaveText("Support tone · rank 16");
  await shot(owner.page, "agent-adapter");

  // Hand the project over with its adapters; the new owner finds them.
  const heir = await person(browser, "lora-heir");
  await heir.page.goto(pathOf(await linkFromMail(heir.page, heir.email, /Verify your email/)));
  await owner.page.goto(`/projects/${project.id}/settings`);
  await settle(owner.page);
  await owner.page.getByLabel("Recipient email").fill(heir.email);
  await expect(owner.page.getByLabel("Include adapters")).toBeChecked();
  await owner.page.getByRole("button", { name: "Start handover" }).click();
  await expect(owner.page.getByTestId("handover-state")).toHaveText("Waiting for the recipient");

  await heir.page.goto(pathOf(await linkFromMail(heir.page, heir.email, /hand over/)));
  await expect(heir.page.getByTestId("handover-adapters")).toContainText("included: Support tone (");
  await settle(heir.page);
  await shot(heir.page, "handover-offer");
  await heir.page.getByRole("button", { name: "Accept" }).click();
  await expect(heir.page).toHaveURL(new RegExp(`/projects/${project.id}`));
  await heir.page.goto(`/projects/${project.id}/adapters`);
  const theirs = heir.page.getByRole("listitem", { name: "Support tone" });
  await expect(theirs.getByText("ready", { exact: true })).toBeVisible();
  await expect(heir.page.getByTestId("adapter-storage")).toContainText("50.0 MB");
  await expect(theirs.getByRole("link", { name: "Download Support tone" })).toBeVisible();
  const download = await heir.page.request.get(`/api/adapters/${await adapterIdOf(heir.page)}/download`, { headers: { Range: "bytes=0-7" } });
  expect(download.status()).toBe(206);
  expect(download.headers()["content-range"]).toMatch(/^bytes 0-7\/5\d{7}$/);
  await shot(heir.page, "heir-registry");
  await owner.context.close();
  await heir.context.close();
});

async function adapterIdOf(page: Page): Promise<string> {
  const href = await page.getByRole("link", { name: /^Download / }).first().getAttribute("href");
  const id = href?.match(/adapters\/([0-9a-f-]{36})\/download/)?.[1];
  if (!id) throw new Error("no adapter id in the download link");
  return id;
}
