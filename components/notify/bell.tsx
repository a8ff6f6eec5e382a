"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";

/** Other people's comments and mentions arrive while a page is open: the count is polled. */
const POLL_MS = 10_000;

/** The bell on every signed-in page: unread count, the newest entries, mark one or all read. */
export function NotificationBell() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const bell = useQuery({ ...trpc.notifications.bell.queryOptions(), refetchInterval: POLL_MS });
  const refresh = () => queryClient.invalidateQueries(trpc.notifications.bell.queryFilter());
  const mark = useMutation(trpc.notifications.markRead.mutationOptions({ onSuccess: refresh }));
  const unread = bell.data?.unread ?? 0;
  return (
    <div className="relative">
      <button
        type="button"
        aria-expanded={open}
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
        onClick={() => setOpen((o) => !o)}
        className="relative rounded-md px-2 py-1 text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900"
      >
        <svg aria-hidden viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.6">
          <path d="M10 3a4.5 4.5 0 0 0-4.5 4.5v2.7L4 13h12l-1.5-2.8V7.5A4.5 4.5 0 0 0 10 3Zm-1.8 12a1.9 1.9 0 0 0 3.6 0" strokeLinejoin="round" />
        </svg>
        {unread > 0 ? (
          <span data-testid="bell-count" className="absolute -right-1 -top-1 min-w-4 rounded-full bg-red-600 px-1 text-center text-[10px] font-semibold leading-4 text-white">
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <section aria-label="Notifications" className="absolute right-0 z-40 mt-1 w-80 rounded-lg border border-zinc-200 bg-white shadow-lg">
          <div className="flex items-center justify-between border-b border-zinc-100 px-3 py-2">
            <h2 className="text-sm font-semibold text-zinc-900">Notifications</h2>
            <button type="button" className="text-xs text-emerald-800 hover:underline disabled:text-zinc-400" disabled={unread === 0 || mark.isPending} onClick={() => mark.mutate({})}>
              Mark all read
            </button>
          </div>
          {bell.data && bell.data.items.length === 0 ? <p className="px-3 py-4 text-sm text-zinc-500">Nothing yet. Comments on your messages, mentions, new members, handovers, budget alerts and answers that finished while you were away show up here.</p> : null}
          <ul className="max-h-96 divide-y divide-zinc-100 overflow-y-auto">
            {bell.data?.items.map((n) => {
              const body = (
                <>
                  <span className={`block text-sm ${n.readAt ? "text-zinc-600" : "font-medium text-zinc-900"}`}>{n.title}</span>
                  <span className="line-clamp-2 block text-xs text-zinc-500">{n.body}</span>
                </>
              );
              return (
                <li key={n.id} className={n.readAt ? "" : "bg-emerald-50/50"}>
                  {n.href ? (
                    <Link
                      href={n.href}
                      className="block px-3 py-2 hover:bg-zinc-50"
                      onClick={() => {
                        setOpen(false);
                        if (!n.readAt) mark.mutate({ notificationId: n.id });
                      }}
                    >
                      {body}
                    </Link>
                  ) : (
                    <div className="flex items-start justify-between gap-2 px-3 py-2">
                      <span>{body}</span>
                      {n.readAt ? null : (
                        <button type="button" className="shrink-0 text-xs text-emerald-800 hover:underline" onClick={() => mark.mutate({ notificationId: n.id })}>
                          Mark read
                        </button>
                      )}
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
          <Link href="/account#notifications" className="block border-t border-zinc-100 px-3 py-2 text-xs text-zinc-600 hover:text-zinc-900" onClick={() => setOpen(false)}>
            Choose what reaches you
          </Link>
        </section>
      ) : null}
    </div>
  );
}
