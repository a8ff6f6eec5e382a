"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatDate } from "@/components/providers/display";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { formatUsd } from "@/lib/money";
import { errorMessage } from "@/lib/errors";
import { relativeTime } from "./relative-time";

type Item = { verb: string; actorName: string | null; targetName: string | null; detail: Record<string, unknown> | null };

/** One line per event, in words ("Ana changed Ben's role from commenter to editor"). */
export function describeActivity(item: Item): string {
  const who = item.actorName ?? "Someone";
  const target = item.targetName ?? "a member";
  const d = item.detail ?? {};
  const micros = (v: unknown) => (typeof v === "string" && /^\d+$/.test(v) ? formatUsd(BigInt(v)) : "no cap");
  switch (item.verb) {
    case "created_project":
      return `${who} created the project`;
    case "invited":
      return `${who} created an invite link for a ${String(d.role ?? "member")}${d.email ? ` (${String(d.email)})` : ""}`;
    case "revoked_invite":
      return `${who} revoked an invite link`;
    case "joined":
      return `${who} joined as ${String(d.role ?? "member")}`;
    case "changed_role":
      return `${who} changed ${target}'s role from ${String(d.from)} to ${String(d.to)}`;
    case "changed_quota":
      return `${who} changed ${target}'s quota from ${micros(d.from)} to ${micros(d.to)}`;
    case "removed":
      return `${who} removed ${target}`;
    case "left":
      return `${who} left the project`;
    case "started_handover":
      return `${who} started a handover to ${String(d.toEmail ?? "someone")}`;
    case "cancelled_handover":
      return `${who} cancelled the handover`;
    case "handed_over":
      return `${who} took over the project from ${target}`;
    case "forked":
      return `${who} forked a conversation`;
    case "escalated":
      return `${who} escalated an answer to the cloud`;
    case "uploaded":
      return `${who} added knowledge${d.title ? `: ${String(d.title)}` : ""}`;
    default:
      return `${who} ${item.verb.replaceAll("_", " ")}`;
  }
}

/** The project's activity, newest first, with unread events marked until the member marks them seen. */
export function ActivityFeed({ projectId, limit = 20 }: { projectId: string; limit?: number }) {
  const trpc = useTRPC();
  const fmt = useFormatDate();
  const queryClient = useQueryClient();
  const feed = useQuery({ ...trpc.collab.activity.queryOptions({ projectId, limit }), refetchInterval: 15_000 });
  const seen = useMutation(
    trpc.collab.markActivitySeen.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.collab.activity.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.collab.unreadActivity.queryKey() });
      },
    }),
  );
  if (feed.isPending) return <p className="text-sm text-zinc-500">Loading activity…</p>;
  if (feed.error) return <Alert tone="error">{errorMessage(feed.error)}</Alert>;
  const { items, unreadCount } = feed.data;
  return (
    <section aria-labelledby="activity-heading" className="space-y-3">
      <div className="flex items-center justify-between gap-2">
        <h2 id="activity-heading" className="text-base font-semibold">
          Activity{" "}
          {unreadCount > 0 ? (
            <span className="ml-1 rounded-full bg-emerald-700 px-2 py-0.5 text-xs font-medium text-white">{unreadCount} new</span>
          ) : null}
        </h2>
        {unreadCount > 0 ? (
          <Button variant="ghost" className="px-2 py-1" disabled={seen.isPending} onClick={() => seen.mutate({ projectId })}>
            Mark all as read
          </Button>
        ) : null}
      </div>
      {items.length === 0 ? (
        <p className="text-sm text-zinc-600">Nothing yet. Invite someone from the Members tab and their activity shows here.</p>
      ) : (
        <ol className="space-y-2">
          {items.map((item) => (
            <li key={item.id} className="flex items-start gap-2 text-sm">
              <span
                aria-hidden
                className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${item.unread ? "bg-emerald-600" : "bg-transparent"}`}
              />
              <span className="flex-1 text-zinc-800">
                {item.unread ? <span className="sr-only">New: </span> : null}
                {describeActivity(item)}
              </span>
              <time className="shrink-0 text-xs text-zinc-500" dateTime={new Date(item.createdAt).toISOString()} title={fmt(item.createdAt)}>
                {relativeTime(item.createdAt)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
