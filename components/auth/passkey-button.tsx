"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useState, useTransition } from "react";
import { passkeyOptionsAction, passkeySecondFactorAction, passkeySignInAction } from "@/app/(auth)/passkey-actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

/**
 * The browser's passkey prompt: to sign in with a passkey alone (any of this
 * site's), or as the second step of a sign-in (only that account's).
 */
export function PasskeyButton({ mode, next }: { mode: "sign-in" | "second-factor"; next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const run = () =>
    startTransition(async () => {
      setError(null);
      const prepared = await passkeyOptionsAction(mode);
      if ("error" in prepared) return setError(prepared.error ?? "Please try again.");
      let response: Awaited<ReturnType<typeof startAuthentication>>;
      try {
        response = await startAuthentication({ optionsJSON: prepared.options });
      } catch (e) {
        // The person closed the prompt, or this browser has no passkey for Arbor.
        setError(e instanceof Error && e.name === "NotAllowedError" ? "No passkey was chosen. Try again, or use another way in." : "This browser could not use a passkey here.");
        return;
      }
      const result = mode === "sign-in" ? await passkeySignInAction(JSON.stringify(response), next) : await passkeySecondFactorAction(JSON.stringify(response), next);
      if (result?.error) setError(result.error);
    });
  return (
    <div className="space-y-2">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <Button variant="secondary" className="w-full" onClick={run} disabled={pending}>
        {pending ? "Waiting for your passkey…" : "Use a passkey"}
      </Button>
    </div>
  );
}
