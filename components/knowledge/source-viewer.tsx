"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { formatBytes } from "@/lib/bytes";

/** The extracted text of one source (never its original HTML), with the requested chunk highlighted and scrolled into view. */
export function SourceViewer({ projectId, sourceId, chunkId }: { projectId: string; sourceId: string; chunkId: string | null }) {
  const trpc = useTRPC();
  const view = useQuery(trpc.knowledge.source.queryOptions({ projectId, sourceId }));
  const highlightRef = useRef<HTMLElement>(null);
  const data = view.data;
  const chunk = data?.chunks.find((c) => c.id === chunkId) ?? null;

  useEffect(() => {
    if (chunk && highlightRef.current) highlightRef.current.scrollIntoView({ block: "center", behavior: "smooth" });
  }, [chunk]);

  return (
    <section aria-label="Source viewer" className="rounded-lg border border-zinc-200 bg-white">
      <div className="flex items-start justify-between gap-3 border-b border-zinc-200 px-4 py-3">
        <div className="min-w-0">
          <h2 className="truncate text-base font-semibold text-zinc-900">{data?.source.title ?? "Loading…"}</h2>
          {data ? (
            <p className="mt-0.5 text-xs text-zinc-500">
              {data.source.mediaType.split(";")[0]} · {formatBytes(data.source.sizeBytes)} · {data.chunks.length} {data.chunks.length === 1 ? "chunk" : "chunks"}
              {data.source.url ? (
                <>
                  {" · "}
                  <a href={data.source.url} rel="noopener noreferrer nofollow" target="_blank" className="underline">
                    original link
                  </a>
                </>
              ) : null}
            </p>
          ) : null}
        </div>
        <div className="flex items-center gap-2">
          {data ? <Badge tone={data.source.status === "ready" ? "emerald" : data.source.status === "failed" ? "red" : "sky"}>{data.source.status}</Badge> : null}
          <Link href={`/projects/${projectId}/knowledge`} scroll={false} className="rounded px-2 py-1 text-sm text-zinc-600 hover:bg-zinc-100">
            Close
          </Link>
        </div>
      </div>
      {view.error ? (
        <div className="p-4">
          <Alert tone="error">{view.error.message}</Alert>
        </div>
      ) : null}
      {chunkId && data && !chunk ? (
        <div className="px-4 pt-3">
          <Alert tone="warning">The cited passage is no longer in this source (it was re-processed or changed). Showing the whole text.</Alert>
        </div>
      ) : null}
      {data && data.text === null ? (
        <p className="p-4 text-sm text-zinc-600">
          {data.source.status === "failed" ? (data.source.error ?? "This source could not be read.") : "The text appears here once processing finishes."}
        </p>
      ) : null}
      {data?.text ? (
        <div className="max-h-[70vh] overflow-y-auto px-4 py-3">
          <pre className="whitespace-pre-wrap break-words font-sans text-sm leading-relaxed text-zinc-800">
            {chunk ? (
              <>
                {data.text.slice(0, chunk.startOffset)}
                <mark ref={highlightRef} data-testid="highlighted-chunk" className="rounded bg-amber-100 text-zinc-900 ring-2 ring-amber-300">
                  {data.text.slice(chunk.startOffset, chunk.endOffset)}
                </mark>
                {data.text.slice(chunk.endOffset)}
              </>
            ) : (
              data.text
            )}
          </pre>
        </div>
      ) : null}
    </section>
  );
}
