"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { formatUsd, microsToDecimal, parseUsd } from "@/lib/money";

/** The person's own monthly spending limit; cloud calls that could pass it are refused before they start. */
export function CeilingForm({ ceilingMicros }: { ceilingMicros: bigint | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState(() => asInput(ceilingMicros));
  // Follow the saved value when it changes (after a save or another tab's change) without
  // remounting, so the "saved" confirmation stays on screen.
  useEffect(() => setText(asInput(ceilingMicros)), [ceilingMicros]);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const mutation = useMutation(
    trpc.billing.setCeiling.mutationOptions({
      onSuccess: async (r) => {
        setSaved(r.ceilingMicros === null ? "Ceiling removed." : `Ceiling set to ${formatUsd(r.ceilingMicros)} a month.`);
        await queryClient.invalidateQueries({ queryKey: trpc.billing.summary.queryKey() });
      },
      onError: (e) => setError(e.message),
    }),
  );
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    const micros = parseUsd(text);
    if (micros === null || micros <= 0n) return setError("Enter a dollar amount such as 25 or 7.50.");
    mutation.mutate({ ceilingMicros: micros });
  };
  return (
    <form onSubmit={submit} className="space-y-3">
      <Field
        label="Monthly spending ceiling (USD)"
        name="ceiling"
        inputMode="decimal"
        placeholder="No ceiling"
        value={text}
        onChange={(e) => setText(e.target.value)}
        error={error ?? undefined}
        hint="Cloud requests that could pass this amount in a calendar month are refused."
      />
      <div className="flex gap-2">
        <Button type="submit" disabled={mutation.isPending}>
          Save ceiling
        </Button>
        {ceilingMicros !== null ? (
          <Button
            variant="ghost"
            disabled={mutation.isPending}
            onClick={() => {
              setText("");
              setError(null);
              mutation.mutate({ ceilingMicros: null });
            }}
          >
            Remove ceiling
          </Button>
        ) : null}
      </div>
      {saved ? <Alert tone="success">{saved}</Alert> : null}
    </form>
  );
}

function asInput(ceilingMicros: bigint | null): string {
  return ceilingMicros === null ? "" : microsToDecimal(ceilingMicros, { trim: true });
}
