import { expect, test } from "@playwright/test";
import { hydrated, newPerson, signIn } from "./support/auth";

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
    await laptop.close();
    await ada.context.close();
  });
});
