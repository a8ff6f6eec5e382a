import { expect, test } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { formAlert, hydrated, linkFromMail, newPerson, signIn, signOut, uniqueEmail } from "./support/auth";

test.describe("account security", () => {
  test("end another session from the account page: that browser is signed out on its next click, and the new browser was mailed", async ({ browser }) => {
    const ada = await newPerson(browser, "sessions");
    // A second browser (its own cookies, so its own session) signs in to the same account.
    const laptop = await browser.newContext({ userAgent: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" });
    const elsewhere = await laptop.newPage();
    await signIn(elsewhere, ada.email);
    await expect(elsewhere).toHaveURL(/\/dashboard/);

    // The sign-in from a browser the account had not used before reached the owner's mailbox, naming it.
    await expect(async () => {
      await ada.page.goto("/dev/mailbox");
      await expect(ada.page.getByRole("article").filter({ hasText: `To: ${ada.email}` }).filter({ hasText: "New sign-in to Arbor from Firefox 133 on Ubuntu" })).toBeVisible({
        timeout: 1000,
      });
    }).toPass({ timeout: 20_000 });

    await ada.page.goto("/account");
    await hydrated(ada.page);
    const list = ada.page.getByRole("list", { name: "Signed-in sessions" });
    await expect(list.getByRole("listitem")).toHaveCount(2);
    await expect(list.getByRole("listitem").first()).toContainText("This one");
    await expect(list.getByRole("listitem", { name: /Firefox 133 on Ubuntu/ })).toContainText(/Network (127\.0\.0\.x|::1)/);
    await ada.page.screenshot({ path: "test-results/account-sessions.png", fullPage: true });

    await list.getByRole("button", { name: "End session: Firefox 133 on Ubuntu" }).click();
    await expect(list.getByRole("listitem")).toHaveCount(1);
    await expect(ada.page.getByText("This is your only signed-in session")).toBeVisible();

    // The other browser's very next click lands on the sign-in page.
    await elsewhere.getByRole("link", { name: "Billing" }).click();
    await expect(elsewhere).toHaveURL(/\/sign-in/);
    // This browser carries on.
    await ada.page.getByRole("link", { name: "Billing" }).click();
    await expect(ada.page).toHaveURL(/\/billing/);

    // A new password ends every other session too, and this one carries on.
    await signIn(elsewhere, ada.email);
    await expect(elsewhere).toHaveURL(/\/dashboard/);
    await ada.page.goto("/account");
    await hydrated(ada.page);
    const change = ada.page.getByRole("form", { name: "Change password" });
    await change.getByLabel("Current password").fill(ada.password);
    await change.getByLabel("New password", { exact: true }).fill("a brand new passphrase");
    await change.getByLabel("Confirm new password").fill("a brand new passphrase");
    await change.getByRole("button", { name: "Change password" }).click();
    await expect(change.getByText("1 other session was signed out.")).toBeVisible();
    await elsewhere.getByRole("link", { name: "Projects" }).click();
    await expect(elsewhere).toHaveURL(/\/sign-in/);
    await ada.page.getByRole("link", { name: "Billing" }).click();
    await expect(ada.page).toHaveURL(/\/billing/);
    await laptop.close();
    await ada.context.close();
  });

  /** What the person's authenticator app shows `offset` 30-second steps from now. */
  function totpCode(secret: string, offset = 0): string {
    return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + offset * 30_000 });
  }
  
  test("enrol an authenticator app; signing in then needs a code; a recovery code works once and not twice", async ({ browser }) => {
    const ada = await newPerson(browser, "totp");
    const { page } = ada;
    await page.goto("/account");
    await hydrated(page);
    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
    const secret = (await page.getByTestId("totp-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.screenshot({ path: "test-results/account-totp-enrol.png", fullPage: true });
    await page.getByLabel("Code from your app").fill(totpCode(secret));
    await page.getByRole("button", { name: "Confirm and turn on" }).click();
    const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
    await expect(codes).toHaveCount(10);
    const recovery = (await codes.allTextContents()).map((c) => c.trim());
    await page.getByRole("button", { name: "I have saved my recovery codes" }).click();
    await expect(page.getByText("On: signing in asks for a code")).toBeVisible();
  
    // Password alone no longer opens the account: the second step asks for a code.
    await signOut(page);
    await signIn(page, ada.email);
    await expect(page).toHaveURL(/\/sign-in\/second-factor/);
    await page.goto("/dashboard");
    await expect(page).toHaveURL(/\/sign-in\/second-factor/);
    await hydrated(page);
    await page.getByLabel("Authentication code").fill("000000" === totpCode(secret, 1) ? "111111" : "000000");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(formAlert(page)).toContainText("That code is not right");
    // The enrolment used this step's code: the next step's is the one that is still unused.
    await page.getByLabel("Authentication code").fill(totpCode(secret, 1));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/dashboard/);
  
    // A recovery code works once…
    await signOut(page);
    await signIn(page, ada.email);
    await expect(page).toHaveURL(/\/sign-in\/second-factor/);
    await hydrated(page);
    await page.getByLabel("Authentication code").fill(recovery[0] ?? "");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/dashboard/);
    // …and not twice.
    await signOut(page);
    await signIn(page, ada.email);
    await expect(page).toHaveURL(/\/sign-in\/second-factor/);
    await hydrated(page);
    await page.getByLabel("Authentication code").fill(recovery[0] ?? "");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(formAlert(page)).toContainText("already used");
    await expect(page).toHaveURL(/\/sign-in\/second-factor/);
    await page.screenshot({ path: "test-results/sign-in-second-factor.png", fullPage: true });
    await ada.context.close();
  });
  
  test("register a passkey on the account page and sign in with it alone (Chromium's virtual authenticator)", async ({ browser }) => {
    const ada = await newPerson(browser, "passkey");
    const { page } = ada;
    const cdp = await ada.context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await page.goto("/account");
    await hydrated(page);
    await expect(page.getByText("No passkeys yet")).toBeVisible();
    await page.getByLabel("Passkey name").fill("Test laptop");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    const list = page.getByRole("list", { name: "Passkeys" });
    await expect(list.getByRole("listitem", { name: "Test laptop" })).toBeVisible();
    await page.screenshot({ path: "test-results/account-passkeys.png", fullPage: true });
  
    await signOut(page);
    await page.goto("/sign-in");
    await hydrated(page);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await expect(page).toHaveURL(/\/dashboard/);
  
    // With a passkey on the account, a password sign-in asks for it as the second step.
    await signOut(page);
    await signIn(page, ada.email);
    await expect(page).toHaveURL(/\/sign-in\/second-factor/);
    await hydrated(page);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await expect(page).toHaveURL(/\/dashboard/);
    await ada.context.close();
  });

  test("change the email address: nothing changes until the new address confirms, then it signs in", async ({ browser }) => {
    const ada = await newPerson(browser, "moving");
    const { page } = ada;
    const newEmail = uniqueEmail("moved");
    await page.goto("/account");
    await hydrated(page);
    const form = page.getByRole("form", { name: "Change email" });
    await form.getByLabel("New email address").fill(newEmail);
    await form.getByLabel("Password").fill(ada.password);
    await form.getByRole("button", { name: "Change email" }).click();
    await expect(form.getByText(`We sent a link to ${newEmail}`)).toBeVisible();
    await page.reload();
    await expect(page.getByRole("form", { name: "Change email" })).toContainText(`Your address is ${ada.email}`);

    const link = new URL(await linkFromMail(page, newEmail, /Confirm your new email address/));
    await page.goto(link.pathname + link.search);
    await expect(page.getByRole("heading", { name: "Address changed" })).toBeVisible();
    await page.goto("/account");
    await expect(page.getByRole("form", { name: "Change email" })).toContainText(`Your address is ${newEmail}`);

    await signOut(page);
    await signIn(page, newEmail, ada.password);
    await expect(page).toHaveURL(/\/dashboard/);
    await ada.context.close();
  });
});
