"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { signOut } from "@/server/auth/config";
import { completeWithCode } from "@/server/auth/second-factor";
import { getPendingSecondFactor } from "@/server/auth/session";
import { safeNext } from "@/server/auth/validation";
import { isAppError } from "@/server/errors";
import { kickMailSender } from "@/server/mail/sender";
import { clientAddress } from "@/server/security/client-address";

export type SecondFactorState = { error?: string };

/** The second step of a sign-in: a code from the authenticator app or a recovery code. */
export async function secondFactorCodeAction(_prev: SecondFactorState, form: FormData): Promise<SecondFactorState> {
  const pending = await getPendingSecondFactor();
  if (!pending) redirect("/sign-in?error=SecondFactorExpired");
  const code = String(form.get("code") ?? "").trim();
  if (!code) return { error: "Enter the 6-digit code from your app, or a recovery code." };
  try {
    await completeWithCode(await getDb(), { sessionToken: pending.sessionToken, code, address: clientAddress(await headers()) });
    kickMailSender();
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
  redirect(safeNext(form.get("next")));
}

/** Give up on a sign-in waiting for its second factor: the half-open session goes. */
export async function cancelSecondFactorAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}
