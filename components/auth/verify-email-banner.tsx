"use client";

import { useActionState } from "react";
import { type FormState, resendVerificationAction } from "@/app/(auth)/actions";

export function VerifyEmailBanner({ email }: { email: string }) {
  const [state, action, pending] = useActionState<FormState>(resendVerificationAction, {});
  return (
    <div role="status" className="border-b border-amber-200 bg-amber-50">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm text-amber-900">
        <span>
          Verify your email: we sent a link to <strong>{email}</strong>. Invites restricted to your email and project handovers need it.
        </span>
        {state.notice || state.error ? (
          <span className="font-medium">{state.notice ?? state.error}</span>
        ) : (
          <form action={action}>
            <button type="submit" disabled={pending} className="font-medium underline hover:no-underline">
              {pending ? "Sending…" : "Resend verification email"}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}
