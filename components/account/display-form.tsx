"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { formatDate } from "@/lib/datetime";
import { THEME_CHOICES, type ThemeChoice, applyTheme } from "@/lib/theme";

const THEME_LABEL: Record<ThemeChoice, string> = { light: "Light", dark: "Dark", system: "Same as my system" };

/**
 * Theme (applied the moment it is picked, saved at once) and time zone (every
 * date Arbor shows; saved with the button, then the page re-renders its
 * server-side dates).
 */
export function DisplayForm({ theme: initialTheme, timezone: initialZone, zones: offered }: { theme: ThemeChoice; timezone: string; zones: string[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [theme, setTheme] = useState<ThemeChoice>(initialTheme);
  const [zone, setZone] = useState(initialZone);
  const zones = useMemo(() => (offered.includes(initialZone) ? offered : [initialZone, ...offered]), [offered, initialZone]);
  const saveTheme = useMutation(trpc.account.updatePreferences.mutationOptions());
  const saveZone = useMutation(trpc.account.updatePreferences.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="space-y-5">
      <fieldset>
        <legend className="text-sm font-medium text-zinc-800">Theme</legend>
        <div className="mt-2 flex flex-wrap gap-2">
          {THEME_CHOICES.map((choice) => (
            <label key={choice} className="flex cursor-pointer items-center gap-2 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm has-[:checked]:border-emerald-600 has-[:checked]:ring-1 has-[:checked]:ring-emerald-600">
              <input
                type="radio"
                name="theme"
                value={choice}
                checked={theme === choice}
                onChange={() => {
                  setTheme(choice);
                  applyTheme(choice);
                  saveTheme.mutate({ theme: choice });
                }}
              />
              {THEME_LABEL[choice]}
            </label>
          ))}
        </div>
        {saveTheme.error ? <Alert tone="error">{saveTheme.error.message}</Alert> : null}
      </fieldset>
      <form
        className="space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          saveZone.mutate({ timezone: zone });
        }}
      >
        <label htmlFor="account-time-zone" className="block text-sm font-medium text-zinc-800">
          Time zone
        </label>
        <div className="flex flex-wrap items-center gap-3">
          <select id="account-time-zone" className={`${inputClass} max-w-xs`} value={zone} onChange={(e) => setZone(e.target.value)} aria-describedby="account-time-zone-hint">
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          <Button type="submit" disabled={saveZone.isPending}>
            {saveZone.isPending ? "Saving…" : "Save time zone"}
          </Button>
          {saveZone.isSuccess && !saveZone.isPending ? (
            <span role="status" className="text-sm text-emerald-700">
              Time zone saved.
            </span>
          ) : null}
        </div>
        <p id="account-time-zone-hint" className="text-xs text-zinc-500" suppressHydrationWarning>
          Every date and time in Arbor is shown in this zone. Now there: {formatDate(new Date(), zone)}.
        </p>
        {saveZone.error ? <Alert tone="error">{saveZone.error.message}</Alert> : null}
      </form>
    </div>
  );
}
