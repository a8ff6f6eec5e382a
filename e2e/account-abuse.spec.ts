import { type APIRequestContext, expect, test } from "@playwright/test";
import { hydrated, linkFromMail, PASSWORD, signIn, signOut, signUp, uniqueEmail } from "./support/auth";
import { formAlert } from "./support/auth";

/** One password attempt straight at Auth.js's credentials callback, as a script would send it; the refusal code it redirects with. */
async function attempt(request: APIRequestContext, csrfToken: string, email: string, password: string): Promise<string> {
  const res = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, callbackUrl: "/dashboard" },
    maxRedirects: 0,
  });
  const location = res.headers().location ?? "";
  return new URL(location, "http://x").searchParams.get("code") ?? (location.includes("/dashboard") ? "signed-in" : `status ${res.status()}`);
}

test("200 parallel wrong passwords get at most the allowed checks, and the owner still signs in by magic link", async ({ page, playwright, baseURL }) => {
  const { email } = await signUp(page, { email: uniqueEmail("target") });
  await signOut(page);

  const attacker = await playwright.request.newContext({ baseURL });
  const { csrfToken } = await (await attacker.get("/api/auth/csrf")).json();
  const codes = await Promise.all(Array.from({ length: 200 }, (_, i) => attempt(attacker, csrfToken, email, `wrong guess ${i}`)));
  const tally = Object.fromEntries([...new Set(codes)].map((c) => [c, codes.filter((x) => x === c).length]));
  // Five checks per window: four answer "wrong", the fifth locks, the other 195 are refused unchecked.
  expect(tally).toEqual({ invalid: 4, locked: 196 });
  // The right password is refused too while the address is locked…
  expect(await attempt(attacker, csrfToken, email, PASSWORD)).toBe("locked");
  await attacker.dispose();

  // …but the lock cannot keep the owner out: a sign-in link still works.
  await signIn(page, email, PASSWORD);
  await expect(formAlert(page)).toContainText("Sign in with an email link instead");
  await page.getByLabel("Email for a sign-in link").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await page.goto(await linkFromMail(page, email, /sign-in link/));
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("an unknown address locks exactly like a real one", async ({ playwright, baseURL }) => {
  const request = await playwright.request.newContext({ baseURL });
  const { csrfToken } = await (await request.get("/api/auth/csrf")).json();
  const unknown = uniqueEmail("nobody");
  const codes: string[] = [];
  for (let i = 0; i < 6; i++) codes.push(await attempt(request, csrfToken, unknown, "wrong guess"));
  expect(codes).toEqual(["invalid", "invalid", "invalid", "invalid", "locked", "locked"]);
  await request.dispose();
});

test("a password planted on someone's address stops working once they sign in by magic link", async ({ page, browser }) => {
  const victim = uniqueEmail("victim");
  // The attacker signs up first with the victim's address and stays signed in.
  const attackerContext = await browser.newContext();
  const attacker = await attackerContext.newPage();
  await signUp(attacker, { email: victim, password: "attacker's password" });

  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByLabel("Email for a sign-in link").fill(victim);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.goto(await linkFromMail(page, victim, /sign-in link/));
  await expect(page).toHaveURL(/\/dashboard/);

  // The attacker's session is gone, and so is the password they chose.
  await attacker.goto("/dashboard");
  await expect(attacker).toHaveURL(/\/sign-in/);
  await signIn(attacker, victim, "attacker's password");
  await expect(formAlert(attacker)).toContainText("don't match");
  await attackerContext.close();
});

test("after sign-in, a next that smuggles another host lands on the dashboard", async ({ page }) => {
  const { email } = await signUp(page);
  await signOut(page);
  await signIn(page, email, PASSWORD, "/\t/evil.example/");
  await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/dashboard/);
});

test("the dev mailbox answers only this machine under its own name", async ({ request }) => {
  expect((await request.get("/dev/mailbox")).status()).toBe(200);
  expect((await request.get("/dev/mailbox", { headers: { "x-forwarded-for": "192.168.1.20" } })).status()).toBe(404);
  expect((await request.get("/dev/mailbox", { headers: { host: "rebind.evil.example" } })).status()).toBe(404);
});
