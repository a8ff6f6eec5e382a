"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { inputClass } from "@/components/ui/field";

type Channel = "app" | "mail" | "none";

/** Every category a person can choose for, grouped as the mails are (server/notify/mail-choices.ts). */
const GROUPS = [
  {
    title: "Activity in your projects",
    mail: "by mail as one digest for a burst",
    categories: [
      { id: "mention", label: "Mentions of you in comments" },
      { id: "comment", label: "Comments on your messages" },
      { id: "member", label: "Someone joins a project you own" },
      { id: "answer", label: "An answer finishes while you are away" },
    ],
  },
  {
    title: "Money",
    mail: "by mail as one digest for a burst",
    categories: [{ id: "billing", label: "Budget alerts (50 %, 80 % and 100 % of your limit)" }],
  },
  {
    title: "Projects changing hands",
    mail: "the mail is sent at once: an offer carries its link",
    categories: [
      { id: "handover", label: "Handovers offered to you, and yours accepted or declined" },
      { id: "invite", label: "Invitations to join a project", mailOnly: true },
    ],
  },
] as const;

const OPTIONS: Array<{ value: Channel; label: string }> = [
  { value: "app", label: "In Arbor" },
  { value: "mail", label: "In Arbor and by mail" },
  { value: "none", label: "Nowhere" },
];
const MAIL_ONLY_OPTIONS: Array<{ value: Channel; label: string }> = [
  { value: "mail", label: "By mail" },
  { value: "none", label: "Not at all" },
];

/**
 * The one place for what reaches a person: per category, the bell, the bell
 * and mail, or nothing. Security mails are listed but cannot be turned off.
 * The unsubscribe link of a mail changes the same choices.
 */
export function NotificationPreferences() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const prefs = useQuery(trpc.notifications.preferences.queryOptions());
  const set = useMutation(
    trpc.notifications.setPreference.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries(trpc.notifications.preferences.queryFilter());
        void queryClient.invalidateQueries(trpc.notifications.mailChoices.queryFilter());
      },
    }),
  );
  if (!prefs.data) return <p className="text-sm text-zinc-500">Loading…</p>;
  const data = prefs.data;
  return (
    <div className="space-y-5">
      <p className="flex items-start gap-2 rounded-md bg-zinc-50 px-3 py-2 text-sm text-zinc-700">
        <span aria-hidden>🔒</span>
        <span>
          <strong className="font-medium">Security mails always go</strong> — sign-ins from a new browser, password and email changes, two-factor
          changes. They cannot be turned off.
        </span>
      </p>
      {GROUPS.map((group) => (
        <fieldset key={group.title} className="space-y-2">
          <legend className="text-sm font-semibold text-zinc-900">
            {group.title} <span className="font-normal text-xs text-zinc-500">— {group.mail}</span>
          </legend>
          {group.categories.map((c) => {
            const mailOnly = "mailOnly" in c && c.mailOnly;
            const value = mailOnly && data[c.id] !== "mail" ? "none" : data[c.id];
            return (
              <div key={c.id} className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1">
                <label htmlFor={`notify-${c.id}`} className="text-sm text-zinc-800">
                  {c.label}
                </label>
                <select
                  id={`notify-${c.id}`}
                  className={`${inputClass} w-56`}
                  value={value}
                  disabled={set.isPending}
                  onChange={(e) => set.mutate({ category: c.id, channel: e.target.value as Channel })}
                >
                  {(mailOnly ? MAIL_ONLY_OPTIONS : OPTIONS).map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </div>
            );
          })}
        </fieldset>
      ))}
      <p className="text-xs text-zinc-500">Every optional mail has an unsubscribe link at its foot that works without signing in; it changes these same choices.</p>
      {set.error ? <p className="text-sm text-red-700">{set.error.message}</p> : null}
    </div>
  );
}
