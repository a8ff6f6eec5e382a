import { type Browser, type BrowserContext, type Locator, type Page, test as base, expect } from "@playwright/test";
import { PASSWORD, uniqueEmail, verifyEmail } from "./auth";

/**
 * The shared dev server's HMR socket can order a full page reload at any time (other
 * people's edits, hash mismatches), which wipes half-filled forms and live streams.
 * A journey test is not about HMR: answer its socket here and never forward it.
 */
export async function quietDevReloads(context: BrowserContext) {
  await context.routeWebSocket(/\/_next\//, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (typeof message === "string" && /"reloadPage"|"type":"restart"/.test(message)) return;
      ws.send(message);
    });
  });
}

export const test = base.extend({
  context: async ({ context }, use) => {
    await quietDevReloads(context);
    await use(context);
  },
});

/** The composer: a labelled textarea "Message" and Send. */
export async function ask(page: Page, text: string) {
  const send = page.getByRole("button", { name: "Send", exact: true });
  // Text typed before hydration can be reset by it; type again until Send is enabled.
  await expect(async () => {
    await page.getByLabel("Message", { exact: true }).fill(text);
    await expect(send).toBeEnabled({ timeout: 2_000 });
  }).toPass({ timeout: 90_000 });
  await send.click();
}

export function answers(page: Page): Locator {
  return page.getByRole("article", { name: "Answer" });
}

export function questions(page: Page): Locator {
  return page.getByRole("article", { name: "Question" });
}

/** An answer is finished when its badge (tier, model, tokens, cost, latency) is shown. */
export async function expectAnswerDone(answer: Locator) {
  await expect(answer.getByLabel("Answer details")).toBeVisible({ timeout: 90_000 });
}

export async function openChatTab(page: Page, projectId: string) {
  await page.goto(`/projects/${projectId}/chat`);
  await expect(page.getByLabel("Message", { exact: true })).toBeVisible({ timeout: 90_000 });
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/chat-${name}.png`, fullPage: true });
}

/** Like support/auth's createProject, but patient: the shared dev server compiles pages on first visit. */
export async function newProject(page: Page, title = `Chat project ${Math.random().toString(16).slice(2, 6)}`) {
  // A click that lands before hydration submits the bare form (GET ?title=…); then simply try again.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await page.goto("/dashboard");
    await page.getByLabel("Project name").fill(title);
    await page.getByRole("button", { name: "Create project" }).click();
    const landed = await page
      .waitForURL(/\/projects\/[0-9a-f-]{36}|[?&]title=/, { timeout: 90_000 })
      .then(() => /\/projects\//.test(page.url()))
      .catch(() => false);
    if (landed) break;
  }
  await expect(page).toHaveURL(/\/projects\/[0-9a-f-]{36}/);
  const id = page.url().match(/projects\/([0-9a-f-]{36})/)?.[1];
  if (!id) throw new Error("no project id in URL");
  return { id, title };
}

/** Call a tRPC procedure over HTTP with this page's cookies (superjson wire format). */
export async function trpcCall<T>(page: Page, path: string, input: unknown): Promise<T> {
  const response = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await response.json()) as { result?: { data?: { json?: unknown } }; error?: unknown };
  if (!response.ok()) throw new Error(`${path} failed: ${JSON.stringify(body.error ?? body)}`);
  return body.result?.data?.json as T;
}

/** Settings → Answers → Escalation policy, through the page a person would use. */
export async function setEscalationPolicy(page: Page, projectId: string, policy: "manual" | "auto" | "cloud") {
  await page.goto(`/projects/${projectId}/settings`);
  await page.getByRole("radio", { name: new RegExp(`^${policy} —`, "i") }).check({ timeout: 90_000 });
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible({ timeout: 90_000 });
}

/** A second person, in their own browser context, who joins the project through an invite token. */
export async function newMember(browser: Browser, inviteToken: string) {
  const context = await browser.newContext();
  await quietDevReloads(context);
  const page = await context.newPage();
  await signUpPatiently(page);
  await trpcCall(page, "collab.acceptInvite", { token: inviteToken });
  return { context, page };
}

/**
 * support/auth's signUp with patience for a loaded dev server (its own wait is
 * the 15 s default), then the verification mail followed (the Free plan's cloud
 * allowance waits for it) unless `verified: false`.
 */
export async function signUpPatiently(page: Page, email = uniqueEmail("chat"), { verified = true }: { verified?: boolean } = {}) {
  await page.goto("/sign-up");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/dashboard/, { timeout: 90_000 });
  if (verified) await verifyEmail(page, email);
  return { email };
}
