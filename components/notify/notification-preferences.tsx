"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { inputClass } from "@/components/ui/field";

const CATEGORIES = [
  { id: "mention", label: "Mentions of you in comments" },
  { id: "comment", label: "Comments on your messages" },
  { id: "billing", label: "Budget alerts and payments" },
] as const;

/** One choice per category: the bell, the bell and a mail digest, or nothing. Security mails always go. */
export function NotificationPreferences() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const prefs = useQuery(trpc.notifications.preferences.queryOptions());
  const set = useMutation(trpc.notifications.setPreference.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.notifications.preferences.queryFilter()) }));
  if (!prefs.data) return <p className="text-sm text-zinc-500">Loading…</p>;
  const data = prefs.data;
  return (
    <div className="space-y-3">
      {CATEGORIES.map((c) => (
        <div key={c.id} className="flex items-center justify-between gap-3">
          <label htmlFor={`notify-${c.id}`} className="text-sm text-zinc-800">
            {c.label}
          </label>
          <select
            id={`notify-${c.id}`}
            className={`${inputClass} w-56`}
            value={data[c.id]}
            onChange={(e) => set.mutate({ category: c.id, channel: e.target.value as "app" | "mail" | "none" })}
          >
            <option value="app">In Arbor</option>
            <option value="mail">In Arbor and by mail</option>
            <option value="none">Nowhere</option>
          </select>
        </div>
      ))}
      <p className="text-xs text-zinc-500">Mail arrives as one digest for a burst of events. Security mails (sign-ins, password changes) always go.</p>
      {set.error ? <p className="text-sm text-red-700">{set.error.message}</p> : null}
    </div>
  );
}
