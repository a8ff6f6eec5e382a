"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { ShareLinkList } from "./share-link-list";

const EXPIRY = [
  { days: null, label: "Never" },
  { days: 1, label: "In 1 day" },
  { days: 7, label: "In 7 days" },
  { days: 30, label: "In 30 days" },
] as const;

/** Share: a read-only link to this branch or the whole chat, live or a snapshot; this chat's open links below. */
export function ShareButton({ projectId, chatId, branchId, branchTitle }: { projectId: string; chatId: string; branchId: string; branchTitle: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [scope, setScope] = useState<"branch" | "tree">("branch");
  const [mode, setMode] = useState<"live" | "snapshot">("live");
  const [expiry, setExpiry] = useState("never");
  const [made, setMade] = useState<string | null>(null);
  const create = useMutation(trpc.share.create.mutationOptions());
  const links = useQuery({ ...trpc.share.list.queryOptions({ projectId }), enabled: open });
  return (
    <div className="relative">
      <button type="button" className={buttonClass("ghost", "px-2.5 py-1.5 text-sm")} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Share
      </button>
      {open ? (
        <section aria-label="Share this chat" className="absolute right-0 z-30 mt-1 w-96 space-y-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-lg">
          <form
            className="space-y-3"
            onSubmit={async (e) => {
              e.preventDefault();
              const days = EXPIRY.find((x) => String(x.days ?? "never") === expiry)?.days ?? null;
              const result = await create.mutateAsync({ projectId, chatId, branchId: scope === "branch" ? branchId : null, mode, expiresInDays: days });
              setMade(result.url);
              await queryClient.invalidateQueries(trpc.share.list.queryFilter());
            }}
          >
            <fieldset>
              <legend className="text-sm font-medium text-zinc-800">What</legend>
              <label className="mt-1 flex items-center gap-2 text-sm">
                <input type="radio" name="share-scope" checked={scope === "branch"} onChange={() => setScope("branch")} /> This branch (“{branchTitle}”)
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name="share-scope" checked={scope === "tree"} onChange={() => setScope("tree")} /> The whole chat, every branch
              </label>
            </fieldset>
            <fieldset>
              <legend className="text-sm font-medium text-zinc-800">How</legend>
              <label className="mt-1 flex items-center gap-2 text-sm">
                <input type="radio" name="share-mode" checked={mode === "live"} onChange={() => setMode("live")} /> Live — follows new messages
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name="share-mode" checked={mode === "snapshot"} onChange={() => setMode("snapshot")} /> Snapshot — as it is now
              </label>
            </fieldset>
            <div>
              <label htmlFor="share-expiry" className="block text-sm font-medium text-zinc-800">
                Expires
              </label>
              <select id="share-expiry" className={inputClass} value={expiry} onChange={(e) => setExpiry(e.target.value)}>
                {EXPIRY.map((x) => (
                  <option key={x.label} value={String(x.days ?? "never")}>
                    {x.label}
                  </option>
                ))}
              </select>
            </div>
            <p className="text-xs text-zinc-500">Anyone with the link can read it without signing in. Search engines are told not to index it.</p>
            <button type="submit" className={buttonClass("primary")} disabled={create.isPending}>
              Create link
            </button>
            {create.error ? <p className="text-sm text-red-700">{create.error.message}</p> : null}
          </form>
          {made ? (
            <div>
              <label htmlFor="share-url" className="block text-sm font-medium text-zinc-800">
                Share link
              </label>
              <input id="share-url" readOnly className={inputClass} value={made} onFocus={(e) => e.currentTarget.select()} />
              <p className="mt-1 text-xs text-zinc-500">Copy it now: Arbor keeps only a fingerprint of it and cannot show it again.</p>
            </div>
          ) : null}
          {links.data ? <ShareLinkList projectId={projectId} links={links.data.filter((l) => l.chatId === chatId)} heading="Open links to this chat" /> : null}
        </section>
      ) : null}
    </div>
  );
}
