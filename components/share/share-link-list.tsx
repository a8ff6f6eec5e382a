"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { buttonClass } from "@/components/ui/button";
import { useFormatDate } from "@/components/providers/display";

type Link = { id: string; chatTitle: string; branchTitle: string | null; mode: "live" | "snapshot"; tokenHint: string; createdByName: string; expiresAt: Date | null; lastViewedAt: Date | null };

/** Open share links with an *End link* button each (the server checks who may end which). */
export function ShareLinkList({ projectId, links, heading }: { projectId: string; links: Link[]; heading: string }) {
  const fmt = useFormatDate();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(trpc.share.revoke.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.share.list.queryFilter()) }));
  return (
    <section aria-label={heading}>
      <h3 className="text-sm font-semibold text-zinc-900">{heading}</h3>
      {links.length === 0 ? (
        <p className="mt-1 text-sm text-zinc-500">None.</p>
      ) : (
        <ul className="mt-1 divide-y divide-zinc-100">
          {links.map((l) => (
            <li key={l.id} className="flex items-center justify-between gap-2 py-1.5 text-sm">
              <span className="min-w-0">
                <span className="block truncate text-zinc-900">
                  {l.chatTitle} · {l.branchTitle ? `branch “${l.branchTitle}”` : "whole chat"} · {l.mode}
                </span>
                <span className="block text-xs text-zinc-500">
                  {l.tokenHint} · by {l.createdByName} · {l.expiresAt ? `expires ${fmt(l.expiresAt, "date")}` : "no expiry"} ·{" "}
                  {l.lastViewedAt ? `last opened ${fmt(l.lastViewedAt)}` : "not opened yet"}
                </span>
              </span>
              <button
                type="button"
                className={buttonClass("secondary", "shrink-0 px-2 py-1 text-xs")}
                aria-label={`End link ${l.tokenHint} to ${l.chatTitle}`}
                disabled={revoke.isPending}
                onClick={() => revoke.mutate({ projectId, linkId: l.id })}
              >
                End link
              </button>
            </li>
          ))}
        </ul>
      )}
      {revoke.error ? <p className="text-sm text-red-700">{revoke.error.message}</p> : null}
    </section>
  );
}
