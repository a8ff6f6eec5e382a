"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** The name others see beside your comments, in member lists and in mails. */
export function ProfileForm({ initialName, email }: { initialName: string; email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState(initialName);
  const save = useMutation(trpc.account.rename.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ name });
      }}
    >
      <Field label="Name" value={name} maxLength={80} autoComplete="name" onChange={(e) => setName(e.target.value)} hint={`Signed in as ${email}.`} />
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save name"}
        </Button>
        {save.isSuccess && !save.isPending ? (
          <span role="status" className="text-sm text-emerald-700">
            Name saved.
          </span>
        ) : null}
      </div>
      {save.error ? <Alert tone="error">{save.error.message}</Alert> : null}
    </form>
  );
}
