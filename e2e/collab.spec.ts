import { expect as baseExpect, test } from "@playwright/test";
import { linkFromMail, uniqueEmail, verifyEmail } from "./support/auth";
import { answers, ask, expectAnswerDone } from "./support/chat-helpers";
import { createProjectSettled, fillSignUp, newSignedUpPerson, pathOf, settle, shot } from "./support/collab-helpers";

// The shared dev server compiles pages on first visit while the whole team edits: be patient.
const expect = baseExpect.configure({ timeout: 45_000 });

test("invite a commenter, raise to editor until the quota stops them, hand over to a third person", async ({ browser }) => {
  test.setTimeout(600_000);

  // ── the owner creates a project and an invite link ──
  const owner = await newSignedUpPerson(browser, "owner");
  // the owner's Free allowance pays the guest's cloud answers, and it waits for a verified address
  await verifyEmail(owner.page, owner.email);
  const project = await createProjectSettled(owner.page, `Shared ${Date.now() % 10_000}`);
  await owner.page.goto(`/projects/${project.id}/members`);
  await settle(owner.page);
  await owner.page.getByLabel("Role").selectOption("commenter");
  await owner.page.getByLabel("Quota (USD)").fill("0.01");
  await owner.page.getByLabel("Expires in (hours)").fill("24");
  await owner.page.getByLabel("Max uses").fill("1");
  await owner.page.getByRole("button", { name: "Invite" }).click();
  const linkField = owner.page.getByLabel("Invite link");
  await expect(linkField).toHaveValue(/\/invite\/[A-Za-z0-9_-]{43}$/);
  await expect(owner.page.getByRole("button", { name: "Copy link" })).toBeVisible();
  const invitePath = pathOf(await linkField.inputValue());
  await shot(owner.page, "invite-created");
  await expect(owner.page.getByRole("button", { name: /Revoke invite/ })).toHaveCount(1);

  // ── a signed-out guest opens the link, signs up, comes back, accepts ──
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await guest.goto(invitePath);
  await expect(guest.getByRole("heading", { name: `Join “${project.title}”` })).toBeVisible();
  await expect(guest.getByTestId("invite-role")).toHaveText("commenter");
  await expect(guest.getByText(owner.email).first()).toBeVisible();
  await shot(guest, "invite-signed-out");
  await guest.getByRole("link", { name: "Sign up" }).click();
  const guestEmail = uniqueEmail("guest");
  await fillSignUp(guest, guestEmail);
  await expect(guest).toHaveURL(new RegExp(`${invitePath}$`));
  await settle(guest);
  await guest.getByRole("button", { name: "Accept" }).click();
  await expect(guest).toHaveURL(new RegExp(`/projects/${project.id}`));

  // ── as a commenter the guest reads the project but cannot send ──
  await expect(guest.locator("header, div").getByText("commenter", { exact: true }).first()).toBeVisible();
  await guest.goto(`/projects/${project.id}/chat`);
  await expect(guest.getByText(/You are a commenter in this project/).first()).toBeVisible();
  // Send is either absent or disabled for a commenter (the server refuses it anyway: see the authz matrix)
  const send = guest.getByRole("button", { name: "Send", exact: true });
  if ((await send.count()) > 0) await expect(send).toBeDisabled();
  await shot(guest, "commenter-chat");
  // the owner's controls are neither shown to the guest nor allowed for them
  await guest.goto(`/projects/${project.id}/members`);
  await expect(guest.getByRole("button", { name: "Invite" })).toHaveCount(0);
  await expect(guest.getByRole("button", { name: "Leave project" })).toBeVisible();

  // ── the owner sees the guest and raises them to editor ──
  await owner.page.goto(`/projects/${project.id}/members`);
  await settle(owner.page);
  const guestRow = owner.page.getByTestId(`member-${guestEmail}`);
  await expect(guestRow).toBeVisible();
  await guestRow.getByLabel(`Role for ${guestEmail}`).selectOption("editor");
  await expect(guestRow.getByLabel(`Role for ${guestEmail}`)).toHaveValue("editor");
  await owner.page.reload();
  await expect(owner.page.getByTestId(`member-${guestEmail}`).getByLabel(`Role for ${guestEmail}`)).toHaveValue("editor");
  await shot(owner.page, "members");

  // ── the editor chats (local answers are free) until the $0.01 quota stops a cloud answer ──
  await guest.goto(`/projects/${project.id}/chat`);
  await expect(guest.getByRole("button", { name: "Send", exact: true })).toBeVisible();
  let stopped = false;
  for (let round = 0; round < 6 && !stopped; round++) {
    await ask(guest, `Question number ${round + 1} about the garden?`);
    const answer = answers(guest).last();
    await expectAnswerDone(answer);
    const escalate = answer.getByRole("button", { name: "Escalate", exact: true });
    if ((await escalate.count()) === 0) continue;
    await escalate.click();
    const quotaMessage = guest.getByText(/spending quota in this project/).first();
    await expect(async () => {
      const refused = await quotaMessage.isVisible();
      const answered = (await answers(guest).count()) > round * 2 + 1;
      expect(refused || answered).toBe(true);
    }).toPass({ timeout: 30_000 });
    stopped = await quotaMessage.isVisible();
  }
  expect(stopped).toBe(true);
  await expect(guest.getByText(new RegExp(`Ask the owner \\(${owner.email.replace(/[.]/g, "\\.")}\\)`)).first()).toBeVisible();
  await shot(guest, "quota-stopped");

  // ── a third person, with a verified address, will take over ──
  const heir = await newSignedUpPerson(browser, "heir");
  const verify = await linkFromMail(heir.page, heir.email, /Verify your email/);
  await heir.page.goto(pathOf(verify));

  await owner.page.goto(`/projects/${project.id}/settings`);
  await settle(owner.page);
  await owner.page.getByLabel("Recipient email").fill(heir.email);
  await owner.page.getByLabel("Include knowledge vault").check();
  await owner.page.getByLabel("Message").fill("It is all yours — take good care of it.");
  await owner.page.getByRole("button", { name: "Start handover" }).click();
  await expect(owner.page.getByTestId("handover-state")).toHaveText("Waiting for the recipient");
  await shot(owner.page, "handover-started");

  const handoverLink = await linkFromMail(heir.page, heir.email, /hand over/);
  await heir.page.goto(pathOf(handoverLink));
  await expect(heir.page.getByRole("heading", { name: `Take over “${project.title}”` })).toBeVisible();
  await expect(heir.page.getByText("$96.00")).toBeVisible();
  await expect(heir.page.getByText("take good care of it")).toBeVisible();
  await shot(heir.page, "handover-offer");
  // the guest (another address) cannot use the link
  await guest.goto(pathOf(handoverLink));
  await expect(guest.getByRole("heading", { name: "This handover is for someone else" })).toBeVisible();

  await settle(heir.page);
  // the guest's quota would charge the heir from now on: they are asked, and Accept waits for the answer
  const guestQuota = heir.page.getByRole("group", { name: `${guestEmail}'s quota` });
  await expect(guestQuota).toBeVisible();
  await expect(heir.page.getByRole("button", { name: "Accept" })).toBeDisabled();
  await guestQuota.getByLabel("Revoke").check();
  await shot(heir.page, "handover-decisions");
  await heir.page.getByRole("button", { name: "Accept" }).click();
  await expect(heir.page).toHaveURL(new RegExp(`/projects/${project.id}`));

  // the owner's Settings panel follows live (polling), then the owner is an editor
  await expect(owner.page.getByTestId("handover-state")).toHaveText("Completed", { timeout: 15_000 });
  await owner.page.goto(`/projects/${project.id}/members`);
  await expect(owner.page.getByTestId(`member-${owner.email}`).getByText("editor", { exact: true })).toBeVisible();
  await expect(owner.page.getByRole("button", { name: "Invite" })).toHaveCount(0);
  await shot(owner.page, "after-handover");

  // a second accept changes nothing and says so
  await heir.page.goto(pathOf(handoverLink));
  await expect(heir.page.getByRole("heading", { name: "This handover is closed" })).toBeVisible();

  await guestContext.close();
  await heir.context.close();
  await owner.context.close();
});
