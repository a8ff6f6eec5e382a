"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** A new password: the current one, the new one twice. Every other session ends. */
export function ChangePasswordForm({ hasPassword }: { hasPassword: boolean }) {
  const trpc = useTRPC();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const router = useRouter();
  const queryClient = useQueryClient();
  const change = useMutation(
    trpc.accountSecurity.changePassword.mutationOptions({
      onSuccess: () => {
        // other sessions ended: the list and the server-rendered log both changed
        router.refresh();
        void queryClient.invalidateQueries({ queryKey: trpc.accountSecurity.sessions.queryKey() });
        setCurrent("");
        setNext("");
        setConfirm("");
      },
    }),
  );
  if (!hasPassword) {
    return <p className="text-sm text-zinc-600">Your account signs in without a password. To add one, use “Forgot password?” on the sign-in page: the link sets your first password.</p>;
  }
  return (
    <form
      className="space-y-3"
      aria-label="Change password"
      onSubmit={(e) => {
        e.preventDefault();
        setMismatch(next !== confirm);
        if (next !== confirm) return;
        change.mutate({ currentPassword: current, newPassword: next });
      }}
    >
      {change.error ? <Alert tone="error">{change.error.message}</Alert> : null}
      {change.data ? (
        <Alert tone="success">
          Password changed.{" "}
          {change.data.endedSessions ? `${change.data.endedSessions} other ${change.data.endedSessions === 1 ? "session was" : "sessions were"} signed out.` : "You stay signed in here."}
        </Alert>
      ) : null}
      <Field label="Current password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
      <Field label="New password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} hint="At least 10 characters, and not one of your last five." required />
      <Field
        label="Confirm new password"
        type="password"
        autoComplete="new-password"
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
        error={mismatch ? "The two passwords differ" : undefined}
        required
      />
      <Button type="submit" disabled={change.isPending}>
        {change.isPending ? "Saving…" : "Change password"}
      </Button>
    </form>
  );
}

/** A new address: nothing changes until the link mailed to it is opened. */
export function ChangeEmailForm({ email, hasPassword }: { email: string; hasPassword: boolean }) {
  const trpc = useTRPC();
  const [newEmail, setNewEmail] = useState("");
  const [password, setPassword] = useState("");
  const router = useRouter();
  const request = useMutation(
    trpc.accountSecurity.requestEmailChange.mutationOptions({
      onSuccess: () => {
        setPassword("");
        router.refresh();
      },
    }),
  );
  return (
    <form
      className="space-y-3"
      aria-label="Change email"
      onSubmit={(e) => {
        e.preventDefault();
        request.mutate({ newEmail, currentPassword: hasPassword ? password : undefined });
      }}
    >
      <p className="text-sm text-zinc-600">
        Your address is <strong className="font-medium text-zinc-900">{email}</strong>.
      </p>
      {request.error ? <Alert tone="error">{request.error.message}</Alert> : null}
      {request.data ? (
        <Alert tone="success">
          We sent a link to {request.data.sentTo}. Open it to finish: until then your address stays {email}. (If that address cannot be used, the mail there says why.)
        </Alert>
      ) : null}
      <Field label="New email address" type="email" autoComplete="email" value={newEmail} onChange={(e) => setNewEmail(e.target.value)} required />
      {hasPassword ? <Field label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required /> : null}
      <Button type="submit" variant="secondary" disabled={request.isPending}>
        {request.isPending ? "Sending…" : "Change email"}
      </Button>
    </form>
  );
}
