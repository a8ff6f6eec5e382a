"use client";

import { useActionState } from "react";
import { type BillingActionState, openPortalAction, startCheckoutAction } from "@/app/(app)/billing/actions";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";

const initial: BillingActionState = {};

/** Upgrade / switch plan buttons: each is a form posting to the Checkout server action. */
export function PlanButtons({ tier, stripeConfigured }: { tier: "free" | "managed" | "byok"; stripeConfigured: boolean }) {
  const [state, action] = useActionState(startCheckoutAction, initial);
  const [portal, portalAction] = useActionState(openPortalAction, initial);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {tier !== "managed" ? (
          <form action={action}>
            <input type="hidden" name="kind" value="subscribe_managed" />
            <SubmitButton pendingText="Opening checkout…">{tier === "free" ? "Upgrade to Managed" : "Switch to Managed"}</SubmitButton>
          </form>
        ) : null}
        {tier !== "byok" ? (
          <form action={action}>
            <input type="hidden" name="kind" value="subscribe_byok" />
            <SubmitButton variant="secondary" pendingText="Opening checkout…">
              {tier === "free" ? "Upgrade to Bring your own key" : "Switch to Bring your own key"}
            </SubmitButton>
          </form>
        ) : null}
        {stripeConfigured ? (
          <form action={portalAction}>
            <SubmitButton variant="secondary" pendingText="Opening…">
              Manage billing
            </SubmitButton>
          </form>
        ) : null}
      </div>
      {state.error ? <Alert tone="error">{state.error}</Alert> : null}
      {portal.error ? <Alert tone="error">{portal.error}</Alert> : null}
    </div>
  );
}

export function BuyCreditsForm() {
  const [state, action] = useActionState(startCheckoutAction, initial);
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="kind" value="credits" />
      <Field
        label="Amount in dollars"
        name="amount"
        inputMode="decimal"
        defaultValue="20"
        required
        hint="From $5 to $500. Credits pay for cloud answers before anything else and never expire."
        error={state.error}
      />
      <SubmitButton pendingText="Opening checkout…">Buy credits</SubmitButton>
    </form>
  );
}
