"use client";

import { useActionState } from "react";
import { cancelSecondFactorAction, type SecondFactorState, secondFactorCodeAction } from "@/app/(auth)/second-factor-actions";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import { PasskeyButton } from "./passkey-button";

const initial: SecondFactorState = {};

export function SecondFactorForm({ next, totp, passkey }: { next: string; totp: boolean; passkey: boolean }) {
  const [state, action] = useActionState(secondFactorCodeAction, initial);
  return (
    <div className="space-y-5">
      {totp ? (
        <form action={action} className="space-y-4" noValidate>
          <input type="hidden" name="next" value={next} />
          {state.error ? <Alert tone="error">{state.error}</Alert> : null}
          <Field
            label="Authentication code"
            name="code"
            autoComplete="one-time-code"
            inputMode="text"
            required
            autoFocus
            hint="The 6-digit code your app shows now. Lost your phone? Enter one of your recovery codes instead."
          />
          <SubmitButton className="w-full" pendingText="Checking…">
            Verify
          </SubmitButton>
        </form>
      ) : null}
      {passkey ? <PasskeyButton mode="second-factor" next={next} /> : null}
      <form action={cancelSecondFactorAction}>
        <button type="submit" className="w-full text-center text-sm text-zinc-600 hover:underline">
          Cancel and start over
        </button>
      </form>
    </div>
  );
}
