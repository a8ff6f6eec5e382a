import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Page } from "@playwright/test";
import { answers, ask, expectAnswerDone, newProject, openChatTab, signUpPatiently, test } from "./support/chat-helpers";

test.setTimeout(180_000);

/** Every Content-Security-Policy complaint the browser reports on this page. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

test("every page sends a nonce CSP and the other security headers; the app works under it and cannot be framed", async ({ page, request, browser }) => {
  const violations = cspViolations(page);
  const first = await page.goto("/sign-in");
  const csp = first?.headers()["content-security-policy"] ?? "";
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).toContain("'strict-dynamic'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("img-src 'self' data: blob:");
  expect(csp).not.toContain("unsafe-eval");
  // Next.js stamped every one of its scripts with this request's nonce.
  const scripts = await page.evaluate(() => [...document.scripts].map((s) => s.nonce));
  expect(scripts.length).toBeGreaterThan(0);
  expect(new Set(scripts)).toEqual(new Set([nonce]));
  const again = await request.get("/sign-in");
  expect(again.headers()["content-security-policy"]).not.toContain(`'nonce-${nonce}'`);

  for (const response of [first, again, await request.get("/api/health"), await request.get("/favicon.svg")]) {
    const headers = response?.headers() ?? {};
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("same-origin");
    expect(headers["permissions-policy"]).toContain("camera=()");
    expect(headers["x-frame-options"]).toBe("DENY");
  }
  expect((await request.get("/api/health")).headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");

  // A journey across the app's pages under the policy: sign up, a project, the knowledge vault, a chat answer, the canvas.
  await signUpPatiently(page);
  const project = await newProject(page, "Under CSP");
  await page.goto(`/projects/${project.id}/knowledge`);
  await expect(page.getByText("Drag files here, or")).toBeVisible({ timeout: 60_000 });
  await openChatTab(page, project.id);
  await ask(page, "Is anything in the vault yet?");
  await expectAnswerDone(answers(page).first());
  await page.goto(`/projects/${project.id}/canvas`);
  await expect(page.locator(".react-flow__node").first()).toBeVisible({ timeout: 60_000 });
  await page.goto("/billing");
  await page.goto(`/projects/${project.id}/settings`);
  await page.screenshot({ path: "screenshots/csp-settings.png", fullPage: true });
  expect(violations).toEqual([]);

  // Another site framing a page with Accept or Pay on it sees nothing: the browser refuses to render it.
  const framer = await browser.newPage();
  const refused: string[] = [];
  framer.on("console", (m) => refused.push(m.text()));
  await framer.setContent(`<iframe id="victim" src="${page.url().replace(/\/projects.*/, "/sign-in")}" width="800" height="600"></iframe>`);
  await expect.poll(() => refused.some((t) => /frame-ancestors|X-Frame-Options/i.test(t)), { timeout: 10_000 }).toBe(true);
  await expect(framer.frameLocator("#victim").getByRole("button", { name: "Sign in" })).toHaveCount(0);
  await framer.close();
});

/** A host that counts every request it gets: an answer must send it none. */
async function countingHost(): Promise<{ origin: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "image/gif" }).end(Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

test("a remote image in a pasted note is shown as a link and never requested; a link shows where it really goes", async ({ page }) => {
  const tracker = await countingHost();
  try {
    await signUpPatiently(page);
    const project = await newProject(page, "Pixel vault");
    await page.goto(`/projects/${project.id}/knowledge`);
    await page.getByText("Paste text").click();
    await page.getByLabel("Note title").fill("Watering note");
    const host = tracker.origin.replace("http:", "");
    await page
      .getByLabel("Note text")
      .fill(`Orchard watering happens every Tuesday ![tracker](${tracker.origin}/pixel.gif?leak=watering) and the rota is at [the official rota](${host}/phish).`);
    await page.getByRole("button", { name: "Add note" }).click();
    await expect(page.getByTestId("source-row").filter({ hasText: "Watering note" }).getByText("ready", { exact: true })).toBeVisible({ timeout: 60_000 });

    await openChatTab(page, project.id);
    await ask(page, "When does orchard watering happen?");
    const answer = answers(page).first();
    await expectAnswerDone(answer);
    const image = answer.getByRole("link", { name: /Image: tracker/ });
    await expect(image).toContainText(`(${tracker.origin.replace("http://", "")}, not loaded)`);
    await expect(answer.locator("img")).toHaveCount(0);
    // `//host` is another site: it opens in a new tab, and its host is printed beside the words.
    const rota = answer.getByRole("link", { name: /the official rota/ });
    await expect(rota).toHaveAttribute("href", `https:${host}/phish`);
    await expect(rota).toHaveAttribute("target", "_blank");
    await expect(rota).toContainText(`(${tracker.origin.replace("http://", "")})`);
    await page.screenshot({ path: "screenshots/chat-remote-image.png", fullPage: true });
    await page.reload();
    await expectAnswerDone(answers(page).first());
    await page.waitForTimeout(1_000);
    expect(tracker.hits).toEqual([]);
  } finally {
    tracker.server.close();
  }
});
