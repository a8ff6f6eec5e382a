import "server-only";
import { formatWithZone } from "@/lib/datetime";
import { getEnv } from "@/server/env";
import type { MailInput } from "@/server/mail/outbox";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Every change to how an account signs in mails its owner (security mails
 * are never optional). Each says what happened and where to look if it was
 * not them: the account page, which lists sessions and can end them.
 */
function securityMail(to: string, subject: string, lines: string[]): MailInput {
  const account = `${getEnv().APP_URL}/account#security`;
  const footer = `If this was not you, open ${account}, end the sessions you do not recognise and change your password.`;
  return {
    to,
    subject,
    text: `${lines.join("\n\n")}\n\n${footer}`,
    html: `${lines.map((l) => `<p>${esc(l)}</p>`).join("")}<p>If this was not you, <a href="${account}">review your account</a>, end the sessions you do not recognise and change your password.</p>`,
  };
}


export const securityMails = {
  /** `zone`: the person's own, in which the date is stated (and named). */
  accountDeletionScheduled(to: string, { purgeAfter, zone }: { purgeAfter: Date; zone: string }): MailInput {
    const signIn = `${getEnv().APP_URL}/sign-in`;
    return securityMail(to, "Your Arbor account will be deleted", [
      `You asked to delete your Arbor account. It will be deleted with its projects and data on ${formatWithZone(purgeAfter, zone)}.`,
      `To keep it, sign in at ${signIn} before then: signing in cancels the deletion.`,
    ]);
  },
  /** The last mail: sent through the outbox after the account is gone, so it has no link into it. */
  accountDeleted(to: string): MailInput {
    const text =
      "Your Arbor account was deleted, with its projects and data, as you asked. Records of payments the law requires us to keep remain, without your name or address.\n\nThis is the last mail Arbor sends to this address.";
    return { to, subject: "Your Arbor account was deleted", text, html: text.split("\n\n").map((l) => `<p>${esc(l)}</p>`).join("") };
  },

  newBrowser(to: string, { browser, address }: { browser: string; address: string }): MailInput {
    return securityMail(to, `New sign-in to Arbor from ${browser}`, [`Your Arbor account was just signed in to from ${browser} (network ${address}), a browser it had not been used from before.`]);
  },
  sessionEnded(to: string, { browser }: { browser: string }): MailInput {
    return securityMail(to, "A session of your Arbor account was ended", [`The session on ${browser} was signed out from your account page.`]);
  },
  otherSessionsEnded(to: string, { count }: { count: number }): MailInput {
    return securityMail(to, "Your other Arbor sessions were ended", [`${count} other ${count === 1 ? "session was" : "sessions were"} signed out from your account page.`]);
  },
  passwordChanged(to: string, { endedSessions }: { endedSessions: number }): MailInput {
    return securityMail(to, "Your Arbor password was changed", [
      `The password of your Arbor account was changed.${endedSessions ? ` ${endedSessions} other ${endedSessions === 1 ? "session was" : "sessions were"} signed out.` : ""}`,
    ]);
  },
  emailChangeConfirm(to: string, { url, oldEmail }: { url: string; oldEmail: string }): MailInput {
    return {
      to,
      subject: "Confirm your new email address for Arbor",
      text: `Someone asked to move the Arbor account of ${oldEmail} to this address.\n\nIf it was you, confirm by opening this link:\n${url}\n\nIt works once and expires in 24 hours. Until then nothing changes. If it was not you, ignore this mail.`,
      html: `<p>Someone asked to move the Arbor account of ${esc(oldEmail)} to this address.</p><p><a href="${url}">Confirm this address</a></p><p>It works once and expires in 24 hours. Until then nothing changes.</p>`,
    };
  },
  /** The new address already has an account: only the owner of that mailbox learns it, the form says what it always says. */
  emailChangeTaken(to: string): MailInput {
    return {
      to,
      subject: "An Arbor account could not be moved to your address",
      text: "Someone asked to move an Arbor account to this address, but this address already belongs to an Arbor account, so nothing was changed.\n\nIf it was you, pick another address, or sign in to the account this address already has. If it was not you, ignore this mail.",
    };
  },
  emailChangeRequested(to: string, { newEmail }: { newEmail: string }): MailInput {
    return securityMail(to, "A change of your Arbor email address was requested", [
      `Someone signed in to your Arbor account asked to change its email address to ${newEmail}. Nothing changes until the link sent there is opened.`,
    ]);
  },
  emailChanged(to: string, { newEmail }: { newEmail: string }): MailInput {
    return securityMail(to, "Your Arbor email address was changed", [`Your Arbor account's email address is now ${newEmail}. Mail about the account goes there from now on.`]);
  },
  totpEnabled(to: string): MailInput {
    return securityMail(to, "Two-factor sign-in is on for your Arbor account", ["An authenticator app was added to your Arbor account: signing in now asks for a code from it after your password or sign-in link."]);
  },
  totpDisabled(to: string): MailInput {
    return securityMail(to, "Two-factor sign-in was turned off for your Arbor account", ["The authenticator app was removed from your Arbor account, and its recovery codes no longer work."]);
  },
  recoveryCodeUsed(to: string, { left }: { left: number }): MailInput {
    return securityMail(to, "A recovery code was used to sign in to Arbor", [`A recovery code was used to sign in to your Arbor account. ${left} unused ${left === 1 ? "code remains" : "codes remain"}.`]);
  },
  recoveryCodesRegenerated(to: string): MailInput {
    return securityMail(to, "New recovery codes for your Arbor account", ["New recovery codes were made for your Arbor account; the old ones no longer work."]);
  },
  passkeyAdded(to: string, { name }: { name: string }): MailInput {
    return securityMail(to, "A passkey was added to your Arbor account", [`The passkey "${name}" was added to your Arbor account. It can sign in on its own.`]);
  },
  passkeyRenamed(to: string, { name }: { name: string }): MailInput {
    return securityMail(to, "A passkey of your Arbor account was renamed", [`A passkey of your Arbor account is now called "${name}".`]);
  },
  passkeyRemoved(to: string, { name }: { name: string }): MailInput {
    return securityMail(to, "A passkey was removed from your Arbor account", [`The passkey "${name}" was removed from your Arbor account and can no longer sign in.`]);
  },
};
