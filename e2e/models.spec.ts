import { expect } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, signUpPatiently, test, trpcCall } from "./support/chat-helpers";

test.setTimeout(240_000);

async function shot(page: import("@playwright/test").Page, name: string) {
  await page.screenshot({ path: `screenshots/models-${name}.png`, fullPage: true });
}

test("pick Haiku with its hold shown before sending → escalate that answer to Opus → both costs and the difference → the chat remembers Haiku", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page);
  await openChatTab(page, project.id);

  const picker = page.getByLabel("Model", { exact: true });
  await expect(picker.locator("option")).toContainText(["Auto (project policy)", "Local — vault responder", "Claude Haiku 5.5"]);
  await picker.selectOption({ label: "Claude Haiku 5.5" });
  await page.getByLabel("Message", { exact: true }).fill("What is a mycorrhizal network?");
  // The server's own bound for this very request: its bytes and max_tokens at Haiku's price.
  await expect(page.getByRole("status", { name: "Hold estimate" })).toHaveText(/^Up to \$0\.\d+$/);
  await shot(page, "picker");

  await ask(page, "What is a mycorrhizal network?");
  const haiku = answers(page).first();
  await expectAnswerDone(haiku);
  await expect(haiku.getByLabel("Answer details")).toContainText("Cloud");
  await expect(haiku.getByLabel("Answer details")).toContainText("Claude Haiku 5.5");

  // Escalate to… is offered on a cloud answer too; each model shows what would be held.
  await haiku.getByRole("button", { name: "Escalate to…" }).click();
  const menu = haiku.getByRole("region", { name: "Escalate to a model" });
  await expect(menu.getByRole("button", { name: /Claude Opus 5\.5.*up to \$/ })).toBeVisible();
  await shot(page, "escalate-menu");
  await menu.getByRole("button", { name: /Claude Opus 5\.5/ }).click();

  const opus = answers(page).first();
  await expect(opus.getByLabel("Answer details")).toContainText("Claude Opus 5.5", { timeout: 90_000 });
  await expect(opus.getByRole("group", { name: "Versions" })).toContainText("2 / 2");
  const costs = opus.getByRole("region", { name: "Cost of each version" });
  await expect(costs).toContainText(/Version 1: Claude Haiku 5\.5 · \$0\.\d{6}/);
  await expect(costs).toContainText(/Version 2: Claude Opus 5\.5 · \$0\.\d{6} — this one/);
  await expect(costs).toContainText(/Difference: this version cost \$0\.\d{6} more/);
  await shot(page, "sibling-costs");

  // Remembered per chat: a reload comes back with Haiku chosen.
  await page.reload();
  await expect(page.getByLabel("Model", { exact: true })).toHaveValue("cloud:claude-haiku-5-5", { timeout: 90_000 });
});

test("a fabricated citation is marked unsupported, and Details shows the retrieval hits, the decision and the phase timings", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page);
  await trpcCall(page, "knowledge.paste", { projectId: project.id, title: "Soil notes", text: "Compost improves soil structure and holds water for roots." });
  await expect(async () => {
    const response = await page.request.get(`/api/trpc/knowledge.list?input=${encodeURIComponent(JSON.stringify({ json: { projectId: project.id } }))}`);
    const list = (await response.json()) as { result: { data: { json: { sources: Array<{ status: string }> } } } };
    expect(list.result.data.json.sources.map((s) => s.status)).toEqual(["ready"]);
  }).toPass({ timeout: 60_000 });
  await openChatTab(page, project.id);
  await page.getByLabel("Model", { exact: true }).selectOption({ label: "Claude Haiku 5.5" });
  // The fake Claude adds a misquote of [1] and a citation [9] it was never given.
  await ask(page, "How does compost help soil structure? [[fabricate]]");
  const answer = answers(page).first();
  await expectAnswerDone(answer);
  // The verdict is per number: [1] is used twice (once honestly, once misquoted), so both uses are marked, and [9].
  await expect(answer.locator("mark.citation-unsupported")).toHaveCount(3);
  await expect(answer.locator("mark.citation-unsupported", { hasText: "[9]" })).toHaveAttribute("title", "Unsupported citation: the model was given no source with this number");
  await expect(answer.getByRole("listitem").filter({ hasText: "[9] No such source" })).toContainText("Unsupported");
  await expect(answer.getByRole("listitem").filter({ hasText: "[1] Soil notes" })).toContainText("Unsupported — the quoted words are not in this source");

  await answer.getByRole("button", { name: "Details", exact: true }).click();
  const details = answer.getByRole("region", { name: "Why this answer" });
  await expect(details.getByRole("list", { name: "Retrieval hits" })).toContainText(/\[1\] Soil notes — score \d\.\d\d/);
  await expect(details.getByRole("list", { name: "Tier decision" })).toContainText("Cloud — chosen by the person asking");
  const timings = details.getByRole("list", { name: "Phase timings" });
  for (const phase of ["Analyzing", "Retrieving", "Generating", "Verifying", "First token after", "Total"]) await expect(timings).toContainText(phase);
  await expect(details).toContainText(/Held up to \$0\.\d{6} \(free, platform key\); settled \$0\.\d{6} \(settled\)/);
  await expect(details).toContainText("2 of 2 citations are unsupported: [1], [9].");
  await shot(page, "details");
});

test("create an agent whose instructions reach the upstream, use it in a chat, and see its name on the answer and the canvas", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page);
  await page.goto(`/projects/${project.id}/agents`);
  await page.getByRole("button", { name: "New agent" }).click({ timeout: 90_000 });
  const form = page.getByRole("form", { name: "New agent" });
  await form.getByLabel("Agent name").fill("Soil scientist");
  await form.getByLabel("Instructions").fill("Answer as a soil scientist would.");
  await form.getByLabel("Default tier").selectOption("cloud");
  await form.getByLabel("Default model").selectOption({ label: "Claude Haiku 5.5" });
  await form.getByLabel("Temperature").fill("0.2");
  await form.getByLabel("Maximum tokens").fill("400");
  await form.getByRole("button", { name: "Save agent" }).click();
  await expect(page.getByRole("list", { name: "Agents" })).toContainText("Soil scientist");
  await expect(page.getByRole("list", { name: "Agents" })).toContainText("cloud tier · claude-haiku-5-5 · temperature 0.2 · up to 400 tokens · whole vault");
  await shot(page, "agents");

  await openChatTab(page, project.id);
  await page.getByLabel("Agent", { exact: true }).selectOption({ label: "Soil scientist" });
  // The agent's tier, model and max tokens shape the estimate as they will shape the hold.
  await page.getByLabel("Message", { exact: true }).fill("What is loam?");
  await expect(page.getByRole("status", { name: "Hold estimate" })).toHaveText(/^Up to \$0\.\d+$/);
  await ask(page, "What is loam?");
  const answer = answers(page).first();
  await expectAnswerDone(answer);
  await expect(answer).toContainText("Answering as Soil scientist.");
  await expect(answer).toContainText("Agent: Soil scientist");
  await expect(answer.getByLabel("Answer details")).toContainText("Claude Haiku 5.5");
  await shot(page, "agent-answer");

  await answer.getByRole("link", { name: "Show on canvas" }).click();
  await expect(page.getByTitle("Agent: Soil scientist").first()).toBeAttached({ timeout: 90_000 });
  await shot(page, "agent-canvas");
});

test("the owner's request log lists each call with its cost, filters it, and exports it as CSV", async ({ page }) => {
  await signUpPatiently(page);
  const project = await newProject(page);
  await openChatTab(page, project.id);
  await page.getByLabel("Model", { exact: true }).selectOption({ label: "Claude Haiku 5.5" });
  await ask(page, "What is humus?");
  const answer = answers(page).first();
  await expectAnswerDone(answer);
  const cost = ((await answer.getByLabel("Answer details").textContent()) ?? "").match(/\$0\.\d{6}/)?.[0];
  expect(cost).toBeTruthy();

  await page.goto(`/projects/${project.id}/requests`);
  const table = page.getByRole("table", { name: "Model calls" });
  await expect(table.getByRole("row")).toHaveCount(2, { timeout: 90_000 });
  const row = table.getByRole("row").nth(1);
  await expect(row).toContainText("claude-haiku-5-5");
  await expect(row).toContainText("complete");
  await expect(row).toContainText(cost ?? "none");
  await shot(page, "request-log");

  await page.getByLabel("Status").selectOption("error");
  await expect(page.getByText("No calls match these filters.")).toBeVisible();
  await page.getByLabel("Status").selectOption("");
  await expect(table.getByRole("row")).toHaveCount(2);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const csv = (await import("node:fs")).readFileSync(file, "utf8");
  expect(csv.split("\r\n")[0]).toBe("time,member,chat,agent,provider,model,tier,status,ttft_ms,latency_ms,tokens_in,tokens_out,cost_usd,error");
  expect(csv).toContain(",anthropic,claude-haiku-5-5,cloud,complete,");

  await page.getByLabel("Keep calls for (days)").fill("14");
  await page.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByText("Calls are now kept for 14 days.")).toBeVisible();
});

test("the owner picks a member in the request log, keeps bodies from then on, and reads a call's redacted request and response", async ({ page, browser }) => {
  const owner = await signUpPatiently(page);
  const project = await newProject(page);
  await openChatTab(page, project.id);
  await page.getByLabel("Model", { exact: true }).selectOption({ label: "Claude Haiku 5.5" });
  await ask(page, "Before bodies are kept");
  await expectAnswerDone(answers(page).first());

  // Off by default: the call is logged without its bodies. The owner turns keeping them on.
  await page.goto(`/projects/${project.id}/requests`);
  const table = page.getByRole("table", { name: "Model calls" });
  await expect(table.getByRole("row")).toHaveCount(2, { timeout: 90_000 });
  await expect(table.getByRole("row").nth(1)).toContainText("not kept");
  const keep = page.getByRole("checkbox", { name: /Keep request and response bodies/ });
  await expect(keep).not.toBeChecked();
  await keep.check();
  await expect(page.getByText(/From the next call on, its request and response bodies are kept/)).toBeVisible();

  // An editor's call, and the owner's own with a key pasted into the question.
  const { token } = await trpcCall<{ token: string }>(page, "collab.createInvite", { projectId: project.id, role: "editor", quotaUsd: "1", expiresInHours: 24 });
  const editorContext = await browser.newContext();
  const editor = { context: editorContext, page: await editorContext.newPage() };
  const { email: editorEmail } = await signUpPatiently(editor.page);
  await trpcCall(editor.page, "collab.acceptInvite", { token });
  await openChatTab(editor.page, project.id);
  await editor.page.getByLabel("Model", { exact: true }).selectOption({ label: "Claude Haiku 5.5" });
  await ask(editor.page, "The editor asks about compost");
  await expectAnswerDone(answers(editor.page).first());
  await editor.context.close();

  await openChatTab(page, project.id);
  await page.getByLabel("Model", { exact: true }).selectOption({ label: "Claude Haiku 5.5" });
  await ask(page, "My key sk-ant-api03-E2eSecretKeyValue123 stopped working, why?");
  await expectAnswerDone(answers(page).first());

  await page.goto(`/projects/${project.id}/requests`);
  await expect(table.getByRole("row")).toHaveCount(4, { timeout: 90_000 });
  const member = page.getByLabel("Member");
  await expect(member.locator("option")).toContainText(["Anyone"]);
  await member.selectOption({ label: editorEmail });
  await expect(table.getByRole("row")).toHaveCount(2);
  await member.selectOption({ label: owner.email });
  await expect(table.getByRole("row")).toHaveCount(3);

  const newest = table.getByRole("row").nth(1);
  await newest.getByRole("button", { name: "Show bodies" }).click();
  const request = page.getByRole("region", { name: "Request body" });
  await expect(request).toContainText("stopped working, why?");
  await expect(request).toContainText("claude-haiku-5-5");
  await expect(request).toContainText("[redacted]");
  await expect(request).not.toContainText("E2eSecretKeyValue123");
  await expect(page.getByRole("region", { name: "Response body" })).not.toBeEmpty();
  await shot(page, "request-log-bodies");
  // The owner's first call, from before bodies were kept, has none.
  await expect(table.getByRole("row").filter({ hasText: "not kept" })).toHaveCount(1);
});
