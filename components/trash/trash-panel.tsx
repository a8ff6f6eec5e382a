"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { LocalTime } from "@/components/providers/display";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";

type Notice = { tone: "success" | "error"; text: string; href?: string };

/** The project's trash: what went, who deleted it, when, and how long until it is removed; Restore (editors) and Delete forever (owner). */
export function TrashPanel({ projectId, isOwner }: { projectId: string; isOwner: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.trash.list.queryOptions({ projectId }));
  const [notice, setNotice] = useState<Notice | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.trash.list.queryKey({ projectId }) });
  const restore = useMutation(
    trpc.trash.restore.mutationOptions({
      onSuccess: async (restored) => {
        const href = `/projects/${projectId}/chat/${restored.chatId}${restored.messageId ? `?message=${restored.messageId}` : ""}`;
        setNotice({ tone: "success", text: `Restored ${restored.messageCount === 1 ? "1 message" : `${restored.messageCount} messages`}, exactly where they were.`, href });
        await refresh();
      },
      onError: (error) => setNotice({ tone: "error", text: error.message }),
    }),
  );
  const purge = useMutation(
    trpc.trash.deleteForever.mutationOptions({
      onSuccess: async () => {
        setConfirming(null);
        setNotice({ tone: "success", text: "Deleted for good." });
        await refresh();
      },
      onError: (error) => setNotice({ tone: "error", text: error.message }),
    }),
  );

  if (list.isPending) return <div className="h-24 animate-pulse rounded-lg bg-zinc-100" />;
  if (list.isError) return <Alert tone="error">Could not load the trash: {list.error.message}</Alert>;

  return (
    <div className="space-y-4">
      {notice ? (
        <Alert tone={notice.tone}>
          {notice.text}{" "}
          {notice.href ? (
            <Link href={notice.href} className="font-medium underline underline-offset-2">
              Open it
            </Link>
          ) : null}
        </Alert>
      ) : null}
      {list.data.length === 0 ? (
        <EmptyState title="The trash is empty">
          When someone deletes a message (with every reply below it) or a whole chat, it waits here for 30 days, so an editor can restore it
          exactly as it was — branches, sources, comments and its place on the canvas. After 30 days it is removed for good. To only hide a chat
          from the list, archive it instead.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white" aria-label="Items in the trash">
          {list.data.map((item) => (
            <li key={item.id} className="flex flex-wrap items-start gap-3 p-4" aria-label={item.label}>
              <div className="min-w-0 flex-1">
                <div className="flex flex-wrap items-center gap-2">
                  <Badge tone={item.kind === "chat" ? "violet" : "zinc"}>{item.kind === "chat" ? "Chat" : "Message"}</Badge>
                  <p className="min-w-0 truncate font-medium text-zinc-900">{item.label}</p>
                </div>
                <p className="mt-1 text-sm text-zinc-600">
                  {item.kind === "chat" ? "The whole chat" : `In “${item.chatTitle}”`} ·{" "}
                  {item.messageCount === 1 ? "1 message" : `${item.messageCount} messages`}
                </p>
                <p className="mt-0.5 text-xs text-zinc-500">
                  Deleted by {item.deletedBy ?? "a former member"} on <LocalTime date={item.deletedAt} /> ·{" "}
                  <span className={item.daysLeft <= 3 ? "font-medium text-amber-700" : undefined}>
                    {item.daysLeft === 1 ? "1 day left" : `${item.daysLeft} days left`}
                  </span>
                </p>
              </div>
              <div className="flex shrink-0 items-center gap-2">
                <button
                  type="button"
                  disabled={restore.isPending}
                  onClick={() => {
                    setNotice(null);
                    restore.mutate({ projectId, trashId: item.id });
                  }}
                  className={buttonClass("secondary", "px-3 py-1.5 text-sm")}
                >
                  Restore
                </button>
                {isOwner && confirming !== item.id ? (
                  <button type="button" onClick={() => setConfirming(item.id)} className={buttonClass("ghost", "px-3 py-1.5 text-sm text-red-700")}>
                    Delete forever
                  </button>
                ) : null}
                {isOwner && confirming === item.id ? (
                  <span className="flex items-center gap-1">
                    <button type="button" onClick={() => setConfirming(null)} className={buttonClass("ghost", "px-2 py-1.5 text-sm")}>
                      Keep
                    </button>
                    <button
                      type="button"
                      disabled={purge.isPending}
                      onClick={() => purge.mutate({ projectId, trashId: item.id })}
                      className={buttonClass("danger", "px-3 py-1.5 text-sm")}
                    >
                      Yes, remove for good
                    </button>
                  </span>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
