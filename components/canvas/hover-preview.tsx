"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";

/** The full text of a hovered message, fetched on demand (the board carries previews only). */
export function HoverPreview({ projectId, messageId, x, y }: { projectId: string; messageId: string; x: number; y: number }) {
  const trpc = useTRPC();
  const { data, isPending, error } = useQuery(trpc.canvas.messageText.queryOptions({ projectId, messageId }, { staleTime: 30_000 }));
  const left = Math.min(x + 16, (typeof window === "undefined" ? 1200 : window.innerWidth) - 380);
  return (
    <div
      role="tooltip"
      className="pointer-events-none fixed z-50 max-h-80 w-[360px] overflow-hidden rounded-lg border border-zinc-200 bg-white p-3 text-xs text-zinc-900 shadow-lg"
      style={{ left, top: y + 16 }}
    >
      {isPending ? <p className="text-zinc-500">Loading…</p> : null}
      {error ? <p className="text-red-600">{error.message}</p> : null}
      {data ? (
        <>
          <p className="mb-1 text-[11px] font-medium text-zinc-500">
            {data.role === "user" ? "Question" : `Answer${data.model ? ` · ${data.model}` : ""}`}
          </p>
          <p className="whitespace-pre-wrap break-words">{data.deleted ? "This message was deleted." : data.content || "(empty)"}</p>
        </>
      ) : null}
    </div>
  );
}
