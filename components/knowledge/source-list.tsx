"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { SourceListItem } from "@/server/knowledge/sources";
import { formatBytes } from "@/lib/bytes";
import { viewerHref } from "./source-display";
import { useRefreshKnowledge } from "./use-knowledge";
import { LocalTime } from "@/components/providers/display";

const STATUS_TONE = { processing: "sky", ready: "emerald", failed: "red" } as const;

export function SourceList({ projectId, sources, canEdit, selectedId }: { projectId: string; sources: SourceListItem[]; canEdit: boolean; selectedId: string | null }) {
  return (
    <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white" aria-label="Sources">
      {sources.map((s) => (
        <SourceRow key={s.id} projectId={projectId} source={s} canEdit={canEdit} selected={s.id === selectedId} />
      ))}
    </ul>
  );
}

function SourceRow({ projectId, source, canEdit, selected }: { projectId: string; source: SourceListItem; canEdit: boolean; selected: boolean }) {
  const trpc = useTRPC();
  const refresh = useRefreshKnowledge();
  const [confirming, setConfirming] = useState(false);
  const retry = useMutation(trpc.knowledge.retry.mutationOptions({ onSuccess: () => void refresh() }));
  const remove = useMutation(trpc.knowledge.delete.mutationOptions({ onSuccess: () => void refresh() }));
  const origin = source.origin === "url" ? "link" : source.origin === "paste" ? "pasted" : "upload";
  return (
    <li className={`px-4 py-3 ${selected ? "bg-emerald-50/60" : ""}`} data-testid="source-row">
      <div className="flex flex-wrap items-center gap-2">
        <Link href={viewerHref(projectId, source.id)} scroll={false} className="font-medium text-zinc-900 hover:text-emerald-800 hover:underline">
          {source.title}
        </Link>
        <Badge tone={STATUS_TONE[source.status]}>{source.status}</Badge>
      </div>
      <p className="mt-1 text-xs text-zinc-500">
        {origin} · {formatBytes(source.sizeBytes)} · {source.chunkCount} {source.chunkCount === 1 ? "chunk" : "chunks"} · added by {source.addedByName ?? "a former member"} on{" "}
        <LocalTime date={source.createdAt} />
      </p>
      {source.status === "ready" && source.summary ? <p className="mt-1 line-clamp-2 text-sm text-zinc-700">{source.summary}</p> : null}
      {source.status === "ready" && source.keywords.length > 0 ? (
        <p className="mt-1 text-xs text-zinc-500">Keywords: {source.keywords.join(", ")}</p>
      ) : null}
      {source.status === "failed" ? <p className="mt-1 text-sm text-red-700">{source.error ?? "Processing failed."}</p> : null}
      {canEdit ? (
        <div className="mt-2 flex flex-wrap items-center gap-2">
          {source.status === "failed" ? (
            <Button variant="secondary" className="px-2.5 py-1 text-xs" disabled={retry.isPending} onClick={() => retry.mutate({ projectId, sourceId: source.id })}>
              Retry
            </Button>
          ) : null}
          {confirming ? (
            <span className="flex items-center gap-2 text-sm">
              <span className="text-zinc-700">Delete “{source.title}” for everyone?</span>
              <Button variant="danger" className="px-2.5 py-1 text-xs" disabled={remove.isPending} onClick={() => remove.mutate({ projectId, sourceId: source.id })}>
                Confirm delete
              </Button>
              <Button variant="ghost" className="px-2.5 py-1 text-xs" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
            </span>
          ) : (
            <Button variant="ghost" className="px-2.5 py-1 text-xs text-red-700" aria-label={`Delete ${source.title}`} onClick={() => setConfirming(true)}>
              Delete
            </Button>
          )}
        </div>
      ) : null}
      {retry.error ? <Alert tone="error">{retry.error.message}</Alert> : null}
      {remove.error ? <Alert tone="error">{remove.error.message}</Alert> : null}
    </li>
  );
}
