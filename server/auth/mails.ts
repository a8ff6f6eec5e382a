import "server-only";
import type { MailInput } from "@/server/mail/outbox";

/** The mails the sign-in flows send. Plain text first; the links are what matters. */
export const authMails = {
  verifyEmail(to: string, url: string): MailInput {
    return {
      to,
      subject: "Verify your email for Arbor",
      text: `Welcome to Arbor!\n\nConfirm this is your email address by opening this link:\n${url}\n\nThe link works once and expires in 24 hours. If you did not sign up, ignore this mail.`,
      html: `<p>Welcome to Arbor!</p><p><a href="${url}">Verify your email</a></p><p>The link works once and expires in 24 hours.</p>`,
    };
  },
  resetPassword(to: string, url: string): MailInput {
    return {
      to,
      subject: "Reset your Arbor password",
      text: `Someone asked to reset the password of your Arbor account.\n\nChoose a new password here:\n${url}\n\nThe link works once and expires in 1 hour. If it was not you, ignore this mail; your password stays as it is.`,
      html: `<p><a href="${url}">Choose a new password</a></p><p>The link works once and expires in 1 hour.</p>`,
    };
  },
  /** Sign-up of an address that already has an account: its owner hears of it, the form says nothing. */
  signUpExisting(to: string, links: { signIn: string; reset: string }): MailInput {
    return {
      to,
      subject: "Someone tried to sign up to Arbor with your email",
      text: `Someone (perhaps you) tried to create an Arbor account with this address, but you already have one.\n\nSign in here (you can ask for a sign-in link by mail):\n${links.signIn}\n\nForgot your password? Choose a new one here:\n${links.reset}\n\nIf it was not you, ignore this mail; nothing about your account changed.`,
      html: `<p>Someone (perhaps you) tried to create an Arbor account with this address, but you already have one.</p><p><a href="${links.signIn}">Sign in</a> · <a href="${links.reset}">Reset your password</a></p><p>If it was not you, ignore this mail; nothing about your account changed.</p>`,
    };
  },
  magicLink(to: string, url: string): MailInput {
    return {
      to,
      subject: "Your Arbor sign-in link",
      text: `Sign in to Arbor with this link:\n${url}\n\nIt works once and expires in 15 minutes. If you did not ask for it, ignore this mail.`,
      html: `<p><a href="${url}">Sign in to Arbor</a></p><p>It works once and expires in 15 minutes.</p>`,
    };
  },
};
