"use server";

import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { AuthError, CredentialsSignin } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { signIn } from "@/server/auth/config";
import { signInErrorMessage } from "@/server/auth/messages";
import { passkeyAuthenticationOptions } from "@/server/auth/passkeys";
import { completeWithPasskey } from "@/server/auth/second-factor";
import { getPendingSecondFactor } from "@/server/auth/session";
import { safeNext } from "@/server/auth/validation";
import { isAppError } from "@/server/errors";
import { clientAddress } from "@/server/security/client-address";

export type PasskeyResult = { error?: string };

/**
 * Options for the browser's passkey prompt: any of this site's passkeys to
 * sign in with one alone, or only the waiting account's as its second factor.
 */
export async function passkeyOptionsAction(mode: "sign-in" | "second-factor") {
  const db = await getDb();
  if (mode === "second-factor") {
    const pending = await getPendingSecondFactor();
    if (!pending) return { error: "This sign-in has expired. Sign in again." } as const;
    return { options: await passkeyAuthenticationOptions(db, { userId: pending.user.id }) } as const;
  }
  return { options: await passkeyAuthenticationOptions(db, { userId: null }) } as const;
}

export async function passkeySignInAction(response: string, next: string): Promise<PasskeyResult> {
  try {
    await signIn("passkey", { response, redirectTo: safeNext(next) });
  } catch (error) {
    if (error instanceof CredentialsSignin) return { error: signInErrorMessage(error.code ?? "passkey") };
    if (error instanceof AuthError) return { error: "We could not sign you in. Please try again." };
    throw error;
  }
  return {};
}

export async function passkeySecondFactorAction(response: string, next: string): Promise<PasskeyResult> {
  const pending = await getPendingSecondFactor();
  if (!pending) redirect("/sign-in?error=SecondFactorExpired");
  try {
    const parsed = JSON.parse(response) as AuthenticationResponseJSON;
    await completeWithPasskey(await getDb(), { sessionToken: pending.sessionToken, response: parsed, address: clientAddress(await headers()) });
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    if (error instanceof SyntaxError) return { error: "This passkey could not be verified for Arbor. Try again, or use another one." };
    throw error;
  }
  redirect(safeNext(next));
}
