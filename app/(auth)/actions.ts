"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { requestPasswordReset, resendVerification, resetPassword, signUp } from "@/server/auth/accounts";
import { shownVersionsAreCurrent } from "@/server/account/consents";
import { signIn, signOut } from "@/server/auth/config";
import { signInErrorMessage } from "@/server/auth/messages";
import { getSessionUser } from "@/server/auth/session";
import { emailSchema, passwordSchema, safeNext, signUpSchema } from "@/server/auth/validation";
import { getEnv } from "@/server/env";
import { isAppError } from "@/server/errors";
import { kickMailSender } from "@/server/mail/sender";
import { clientAddress } from "@/server/security/client-address";

export type FormState = { error?: string; fieldErrors?: Record<string, string | undefined>; notice?: string; values?: Record<string, string> };

async function requestAddress(): Promise<string> {
  return clientAddress(await headers());
}

function fieldErrors(error: z.ZodError): Record<string, string | undefined> {
  const flat = z.flattenError(error).fieldErrors as Record<string, string[] | undefined>;
  return Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, v?.[0]]));
}

export async function signUpAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = { name: String(form.get("name") ?? ""), email: String(form.get("email") ?? "") };
  const parsed = signUpSchema.safeParse({ ...values, password: form.get("password") });
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  if (!shownVersionsAreCurrent({ terms: form.get("terms_version"), privacy: form.get("privacy_version") })) {
    return { error: "The Terms or the Privacy notice changed since this page opened. Reload the page to read the current versions, then sign up again.", values };
  }
  let created: boolean;
  try {
    ({ created } = await signUp(await getDb(), { ...parsed.data, appUrl: getEnv().APP_URL, address: await requestAddress() }));
    kickMailSender();
  } catch (error) {
    if (isAppError(error)) return { error: error.message, values };
    throw error;
  }
  // The address already had an account: its owner got a mail; the form does not say which case this was.
  if (!created) return { notice: existingAddressNotice(parsed.data.email) };
  await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirectTo: safeNext(form.get("next")) });
  return {};
}

function existingAddressNotice(email: string): string {
  return `We sent a mail to ${email}. Open it to carry on: it tells you how to sign in.`;
}

export async function signInAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = { email: String(form.get("email") ?? "") };
  const email = emailSchema.safeParse(values.email);
  const password = String(form.get("password") ?? "");
  if (!email.success) return { fieldErrors: { email: email.error.issues[0]?.message }, values };
  if (!password) return { fieldErrors: { password: "Enter your password" }, values };
  try {
    await signIn("credentials", { email: email.data, password, redirectTo: safeNext(form.get("next")) });
  } catch (error) {
    if (error instanceof CredentialsSignin) return { error: signInErrorMessage(error.code ?? "invalid"), values };
    if (error instanceof AuthError) return { error: "We could not sign you in. Please try again.", values };
    throw error;
  }
  return {};
}

export async function magicLinkAction(_prev: FormState, form: FormData): Promise<FormState> {
  const email = emailSchema.safeParse(String(form.get("email") ?? ""));
  if (!email.success) return { fieldErrors: { email: email.error.issues[0]?.message } };
  await signIn("email", { email: email.data, redirectTo: safeNext(form.get("next")), redirect: false });
  kickMailSender();
  redirect(`/sign-in/check-email?email=${encodeURIComponent(email.data)}`);
}

export async function forgotPasswordAction(_prev: FormState, form: FormData): Promise<FormState> {
  const email = emailSchema.safeParse(String(form.get("email") ?? ""));
  if (!email.success) return { fieldErrors: { email: email.error.issues[0]?.message } };
  try {
    await requestPasswordReset(await getDb(), { email: email.data, appUrl: getEnv().APP_URL, address: await requestAddress() });
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
  kickMailSender();
  return { notice: `If an account exists for ${email.data}, a reset link is on its way. It works once and expires in 1 hour.` };
}

export async function resetPasswordAction(_prev: FormState, form: FormData): Promise<FormState> {
  const token = String(form.get("token") ?? "");
  const password = passwordSchema.safeParse(form.get("password"));
  if (!password.success) return { fieldErrors: { password: password.error.issues[0]?.message } };
  if (form.get("password") !== form.get("confirm")) return { fieldErrors: { confirm: "The two passwords differ" } };
  try {
    await resetPassword(await getDb(), { token, password: password.data });
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
  redirect("/sign-in?reset=1");
}

export async function resendVerificationAction(): Promise<FormState> {
  const user = await getSessionUser();
  if (!user) redirect("/sign-in");
  try {
    await resendVerification(await getDb(), { userId: user.id, appUrl: getEnv().APP_URL, address: await requestAddress() });
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
  kickMailSender();
  return { notice: `We sent a new verification link to ${user.email}.` };
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in?signedOut=1" });
}
