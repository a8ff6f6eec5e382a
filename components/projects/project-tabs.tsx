"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTRPC } from "@/components/providers/trpc";

/** The unread count follows new activity without a reload; opening the feed (Overview) clears it. */
const UNREAD_POLL_MS = 15_000;

const TABS = [
  { slug: "", label: "Overview" },
  { slug: "chat", label: "Chat" },
  { slug: "canvas", label: "Canvas" },
  { slug: "knowledge", label: "Knowledge" },
  { slug: "agents", label: "Agents" },
  { slug: "adapters", label: "Adapters" },
  { slug: "members", label: "Members" },
  { slug: "billing", label: "Billing" },
  { slug: "requests", label: "Requests" },
  { slug: "trash", label: "Trash" },
  { slug: "settings", label: "Settings" },
] as const;

export function ProjectTabs({ projectId }: { projectId: string }) {
  const pathname = usePathname();
  const base = `/projects/${projectId}`;
  const trpc = useTRPC();
  const unread = useQuery({ ...trpc.collab.unreadActivity.queryOptions({ projectId }), refetchInterval: UNREAD_POLL_MS }).data ?? 0;
  return (
    <nav aria-label="Project" className="-mb-px flex gap-1 overflow-x-auto">
      {TABS.map((tab) => {
        const href = tab.slug ? `${base}/${tab.slug}` : base;
        const active = tab.slug ? pathname.startsWith(href) : pathname === base;
        return (
          <Link
            key={tab.slug}
            href={href}
            aria-current={active ? "page" : undefined}
            className={`whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${
              active ? "border-emerald-600 text-emerald-800" : "border-transparent text-zinc-600 hover:border-zinc-300 hover:text-zinc-900"
            }`}
          >
            {tab.label}
            {/* the space keeps the link's name "Overview 3 unread", not "Overview3 unread" */}
            {tab.slug === "" && unread > 0 ? " " : null}
            {tab.slug === "" && unread > 0 ? (
              <span className="ml-1 rounded-full bg-emerald-600 px-1.5 py-0.5 text-xs font-semibold text-white">
                {unread > 99 ? "99+" : unread}
                <span className="sr-only"> unread</span>
              </span>
            ) : null}
          </Link>
        );
      })}
    </nav>
  );
}
