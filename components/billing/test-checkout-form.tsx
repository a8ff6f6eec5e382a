"use client";

import { useActionState } from "react";
import { type BillingActionState, payTestCheckoutAction } from "@/app/(app)/billing/actions";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/submit-button";

export function TestCheckoutForm({ sessionId }: { sessionId: string }) {
  const [state, action] = useActionState(payTestCheckoutAction, {} as BillingActionState);
  return (
    <form action={action} className="mt-5 space-y-3">
      <input type="hidden" name="sessionId" value={sessionId} />
      <SubmitButton className="w-full" pendingText="Paying…">
        Pay
      </SubmitButton>
      {state.error ? <Alert tone="error">{state.error}</Alert> : null}
    </form>
  );
}
