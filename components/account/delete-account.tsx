"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useFormatDate } from "@/components/providers/display";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** Delete the account: blocked while others depend on a project you own; otherwise confirm with your email; 14 days to change your mind. */
export function DeleteAccount({ email }: { email: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const fmt = useFormatDate();
  const state = useQuery(trpc.account.deletion.queryOptions());
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const router = useRouter();
  const schedule = useMutation(
    trpc.account.scheduleDeletion.mutationOptions({
      onSuccess: () => {
        queryClient.invalidateQueries(trpc.account.deletion.queryFilter());
        // the security log below is rendered on the server
        router.refresh();
      },
    }),
  );
  const s = state.data;
  if (!s) return <p className="text-sm text-zinc-500">Loading…</p>;
  if (s.state === "scheduled") {
    return (
      <Alert tone="warning">
        Your account will be deleted on {fmt(s.purgeAfter)}. To keep it, just sign in again before then: signing in cancels the deletion.
      </Alert>
    );
  }
  return (
    <div className="space-y-3 text-sm">
      {s.state === "cancelled" ? (
        <div role="status">
          <Alert tone="success">Your account deletion was cancelled because you signed in ({fmt(s.cancelledAt)}). Nothing was removed.</Alert>
        </div>
      ) : null}
      {s.blockers.length > 0 ? (
        <div className="space-y-2">
          <p>
            You cannot delete your account yet: you own {s.blockers.length === 1 ? "a project" : "projects"} that other people are members of, and their work would go with it.
            Hand {s.blockers.length === 1 ? "it" : "each"} over to a member, or remove the members, first.
          </p>
          <ul className="list-disc pl-5">
            {s.blockers.map((b) => (
              <li key={b.id}>
                <Link href={`/projects/${b.id}/members`} className="font-medium text-emerald-800 underline">
                  {b.title}
                </Link>{" "}
                — {b.others} other {b.others === 1 ? "member" : "members"}
              </li>
            ))}
          </ul>
        </div>
      ) : !open ? (
        <>
          <p className="text-zinc-600">
            Removes your account, your projects and everything in them after 14 days. Export your data first if you want a copy. Invoices and payment records the law requires are
            kept, without your name or email.
          </p>
          <Button variant="danger" onClick={() => setOpen(true)}>
            Delete my account…
          </Button>
        </>
      ) : (
        <form
          className="space-y-3 rounded-md border border-red-200 bg-red-50 p-3"
          onSubmit={(e) => {
            e.preventDefault();
            schedule.mutate({ confirmEmail: typed });
          }}
        >
          <p className="text-red-800">
            This deletes your account and all your projects 14 days from now. Signing in before then cancels it.
          </p>
          <Field label={`Type ${email} to confirm`} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          <div className="flex gap-2">
            <Button type="submit" variant="danger" disabled={schedule.isPending || typed.trim().toLowerCase() !== email.toLowerCase()}>
              {schedule.isPending ? "Scheduling…" : "Delete my account in 14 days"}
            </Button>
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Keep my account
            </Button>
          </div>
          {schedule.error ? <Alert tone="error">{schedule.error.message}</Alert> : null}
        </form>
      )}
    </div>
  );
}
