"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** The key is sent once, checked with Anthropic, stored encrypted; only its masked hint ever comes back. */
export function ByokKeyForm({ hint, tier }: { hint: string | null; tier: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [apiKey, setApiKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.billing.summary.queryKey() });
  const add = useMutation(
    trpc.billing.addKey.mutationOptions({
      onSuccess: async () => {
        setApiKey("");
        await refresh();
      },
      onError: (e) => setError(e.message),
    }),
  );
  const remove = useMutation(trpc.billing.removeKey.mutationOptions({ onSuccess: refresh, onError: (e) => setError(e.message) }));
  return (
    <div className="space-y-3">
      {hint ? (
        <div className="flex items-center justify-between rounded-md border border-zinc-200 px-3 py-2 text-sm">
          <span>
            Saved key <code className="font-mono text-zinc-700">{hint}</code>
          </span>
          <Button variant="ghost" disabled={remove.isPending} onClick={() => remove.mutate()}>
            Remove key
          </Button>
        </div>
      ) : tier === "byok" ? (
        <Alert tone="warning">Your plan uses your own key, but none is saved: cloud answers are paused until you add one.</Alert>
      ) : null}
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          add.mutate({ apiKey });
        }}
      >
        <Field
          label={hint ? "Replace Anthropic API key" : "Anthropic API key"}
          name="apiKey"
          type="password"
          autoComplete="off"
          placeholder="sk-ant-…"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          error={error ?? undefined}
          hint="Checked with Anthropic, then stored encrypted (AES-256-GCM). Only the last 4 characters are ever shown."
        />
        <Button type="submit" disabled={add.isPending || apiKey.trim() === ""}>
          {add.isPending ? "Checking key…" : "Save key"}
        </Button>
      </form>
    </div>
  );
}
