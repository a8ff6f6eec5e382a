"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { UserPreferences } from "@/db/schema";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";

type Editable = Pick<UserPreferences, "language" | "timezone" | "verbosity" | "tone">;

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
      <Field label="Time zone" value={values.timezone} onChange={(e) => setValues({ ...values, timezone: e.target.value })} hint="e.g. Europe/Berlin" />
      <div className="space-y-1">
        <label htmlFor="pref-verbosity" className="block text-sm font-medium text-zinc-800">
          Verbosity
        </label>
        <select id="pref-verbosity" className={inputClass} value={values.verbosity} onChange={(e) => setValues({ ...values, verbosity: e.target.value as Editable["verbosity"] })}>
          <option value="concise">Concise</option>
          <option value="normal">Normal</option>
          <option value="detailed">Detailed</option>
        </select>
      </div>
      <div className="space-y-1">
        <label htmlFor="pref-tone" className="block text-sm font-medium text-zinc-800">
          Tone
        </label>
        <select id="pref-tone" className={inputClass} value={values.tone} onChange={(e) => setValues({ ...values, tone: e.target.value as Editable["tone"] })}>
          <option value="neutral">Neutral</option>
          <option value="friendly">Friendly</option>
          <option value="formal">Formal</option>
        </select>
      </div>
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
