"use client";

import { MessageMarkdown } from "./markdown";
import { type LiveOverlay, PhaseLine } from "./message-item";

/** The question just sent, shown at once, before the server has saved it and named it. */
export function PendingQuestion({ text }: { text: string }) {
  return (
    <article aria-label="Question" className="rounded-lg border border-zinc-200 bg-zinc-100/70 px-4 py-3">
      <span className="mb-1.5 block text-xs font-semibold uppercase tracking-wide text-zinc-500">Question</span>
      <p className="whitespace-pre-wrap break-words text-sm leading-relaxed text-zinc-900">{text}</p>
    </article>
  );
}

/** An answer arriving before the thread knows its message (the first event is still on its way). */
export function LiveBubble({ live }: { live: LiveOverlay }) {
  return (
    <article aria-label="Answer" aria-busy className="rounded-lg border border-zinc-200 bg-white px-4 py-3">
      <span className="mb-1.5 block text-xs font-semibold uppercase tracking-wide text-zinc-500">Answer</span>
      {live.text ? (
        <div className="text-sm text-zinc-900">
          <MessageMarkdown text={live.text} />
        </div>
      ) : (
        <div aria-hidden className="space-y-2">
          <div className="h-3 w-3/4 animate-pulse rounded bg-zinc-200" />
          <div className="h-3 w-1/2 animate-pulse rounded bg-zinc-200" />
        </div>
      )}
      <PhaseLine live={live} />
    </article>
  );
}
