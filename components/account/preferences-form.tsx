"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { UserPreferences } from "@/db/schema";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, SelectField } from "@/components/ui/field";

type Editable = Pick<UserPreferences, "language" | "verbosity" | "tone">;

const VERBOSITY = [
  { value: "concise", label: "Concise" },
  { value: "normal", label: "Normal" },
  { value: "detailed", label: "Detailed" },
] as const;
const TONE = [
  { value: "neutral", label: "Neutral" },
  { value: "friendly", label: "Friendly" },
  { value: "formal", label: "Formal" },
] as const;

export function PreferencesForm({ initial }: { initial: Editable }) {
  const trpc = useTRPC();
  const [values, setValues] = useState<Editable>(initial);
  const save = useMutation(trpc.account.updatePreferences.mutationOptions());
  return (
    <form
      className="grid gap-4 sm:grid-cols-2"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(values);
      }}
    >
      <Field label="Answer language" value={values.language} onChange={(e) => setValues({ ...values, language: e.target.value })} hint="e.g. en, de, Español" />
      <SelectField label="Verbosity" value={values.verbosity} options={VERBOSITY} onChange={(verbosity) => setValues({ ...values, verbosity })} />
      <SelectField label="Tone" value={values.tone} options={TONE} onChange={(tone) => setValues({ ...values, tone })} />
      <div className="flex items-center gap-3 sm:col-span-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save preferences"}
        </Button>
        {save.isSuccess ? <span className="text-sm text-emerald-700">Saved.</span> : null}
      </div>
      {save.error ? (
        <div className="sm:col-span-2">
          <Alert tone="error">{save.error.message}</Alert>
        </div>
      ) : null}
    </form>
  );
}
