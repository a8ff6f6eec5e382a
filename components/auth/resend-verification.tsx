"use client";

import { useActionState } from "react";
import { type FormState, resendVerificationAction } from "@/app/(auth)/actions";

/** "Email me the verification link again" (no "Send" in its name: the composer's Send sits beside it), where a refusal names an unverified email (the chat's cloud allowance). */
export function ResendVerification() {
  const [state, action, pending] = useActionState<FormState>(resendVerificationAction, {});
  if (state.notice) return <span className="mt-1 block font-medium">{state.notice}</span>;
  return (
    <form action={action} className="mt-1">
      <button type="submit" disabled={pending} className="font-medium underline hover:no-underline">
        {pending ? "Mailing…" : "Email me the verification link again"}
      </button>
    </form>
  );
}
