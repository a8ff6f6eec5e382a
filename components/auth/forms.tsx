"use client";

import Link from "next/link";
import { useActionState } from "react";
import {
  type FormState,
  forgotPasswordAction,
  magicLinkAction,
  resetPasswordAction,
  signInAction,
  signUpAction,
} from "@/app/(auth)/actions";
import { LEGAL_VERSIONS } from "@/lib/legal";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";

const initial: FormState = {};

export function SignUpForm({ next }: { next: string }) {
  const [state, action] = useActionState(signUpAction, initial);
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      {state.error ? <Alert tone="error">{state.error}</Alert> : null}
      {state.notice ? <Alert tone="success">{state.notice}</Alert> : null}
      <Field label="Name" name="name" autoComplete="name" defaultValue={state.values?.name} error={state.fieldErrors?.name} />
      <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={state.values?.email} error={state.fieldErrors?.email} />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required hint="At least 10 characters." error={state.fieldErrors?.password} />
      <input type="hidden" name="terms_version" value={LEGAL_VERSIONS.terms} />
      <input type="hidden" name="privacy_version" value={LEGAL_VERSIONS.privacy} />
      <SubmitButton className="w-full" pendingText="Creating your account…">
        Sign up
      </SubmitButton>
      <ConsentNote id="sign-up-consent" />
    </form>
  );
}

/** The clickwrap beside the button: pressing it is accepting these versions (recorded with the account, docs/account.md "Consents"). */
export function ConsentNote({ id, lead = "By signing up you accept the" }: { id?: string; lead?: string }) {
  return (
    <p id={id} className="text-center text-xs text-zinc-600">
      {lead}{" "}
      <Link href="/terms" className="font-medium text-emerald-800 underline">
        Terms
      </Link>{" "}
      and the{" "}
      <Link href="/privacy" className="font-medium text-emerald-800 underline">
        Privacy notice
      </Link>{" "}
      ({LEGAL_VERSIONS.terms === LEGAL_VERSIONS.privacy ? `version ${LEGAL_VERSIONS.terms}` : `Terms ${LEGAL_VERSIONS.terms}, Privacy notice ${LEGAL_VERSIONS.privacy}`}).
    </p>
  );
}

export function SignInForm({ next }: { next: string }) {
  const [state, action] = useActionState(signInAction, initial);
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      {state.error ? <Alert tone="error">{state.error}</Alert> : null}
      <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={state.values?.email} error={state.fieldErrors?.email} />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required error={state.fieldErrors?.password} />
      <div className="flex items-center justify-between">
        <Link href="/forgot-password" className="text-sm text-emerald-800 hover:underline">
          Forgot password?
        </Link>
      </div>
      <SubmitButton className="w-full" pendingText="Signing in…">
        Sign in
      </SubmitButton>
    </form>
  );
}

export function MagicLinkForm({ next }: { next: string }) {
  const [state, action] = useActionState(magicLinkAction, initial);
  return (
    <form action={action} className="space-y-3" noValidate aria-label="Sign in with an email link">
      <input type="hidden" name="next" value={next} />
      <Field label="Email for a sign-in link" name="email" type="email" autoComplete="email" required error={state.fieldErrors?.email} />
      <SubmitButton variant="secondary" className="w-full" pendingText="Sending…">
        Email me a sign-in link
      </SubmitButton>
    </form>
  );
}

export function ForgotPasswordForm() {
  const [state, action] = useActionState(forgotPasswordAction, initial);
  return (
    <form action={action} className="space-y-4" noValidate>
      {state.error ? <Alert tone="error">{state.error}</Alert> : null}
      {state.notice ? <Alert tone="success">{state.notice}</Alert> : null}
      <Field label="Email" name="email" type="email" autoComplete="email" required error={state.fieldErrors?.email} />
      <SubmitButton className="w-full" pendingText="Sending…">
        Send reset link
      </SubmitButton>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action] = useActionState(resetPasswordAction, initial);
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      {state.error ? <Alert tone="error">{state.error}</Alert> : null}
      <Field label="New password" name="password" type="password" autoComplete="new-password" required hint="At least 10 characters." error={state.fieldErrors?.password} />
      <Field label="Confirm new password" name="confirm" type="password" autoComplete="new-password" required error={state.fieldErrors?.confirm} />
      <SubmitButton className="w-full" pendingText="Saving…">
        Set new password
      </SubmitButton>
    </form>
  );
}
