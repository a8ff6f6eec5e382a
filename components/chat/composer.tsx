"use client";

import { type FormEvent, type KeyboardEvent, type ReactNode, useEffect, useId, useRef } from "react";
import { buttonClass } from "@/components/ui/button";
import { StopIcon } from "./icons";

type Props = {
  draft: string;
  onDraftChange: (text: string) => void;
  onSend: (text: string) => void;
  onStop: () => void;
  /** an answer is being written on this chat: Send waits, Stop is offered */
  streaming: boolean;
  stopping: boolean;
  canStop: boolean;
  /** null when the member may write; otherwise why not, in plain words */
  readOnlyReason: string | null;
  autoFocus?: boolean;
  /** what sits under the text: the model picker and its cost estimate */
  toolbar?: ReactNode;
};

const MAX_ROWS_PX = 240;

export function Composer({ draft, onDraftChange, onSend, onStop, streaming, stopping, canStop, readOnlyReason, autoFocus, toolbar }: Props) {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const readOnly = readOnlyReason !== null;
  const empty = draft.trim().length === 0;

  // Grow with the text up to a limit, then scroll inside.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_ROWS_PX)}px`;
  }, [draft]);

  useEffect(() => {
    if (autoFocus && !readOnly) ref.current?.focus();
  }, [autoFocus, readOnly]);

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (readOnly || streaming || empty) return;
    onSend(draft.trim());
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter is a newline; an IME composition's Enter only confirms the word.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form onSubmit={submit} className="rounded-lg border border-zinc-300 bg-white shadow-sm focus-within:border-emerald-600 focus-within:ring-1 focus-within:ring-emerald-600">
      <label htmlFor={id} className="sr-only">
        Message
      </label>
      <textarea
        id={id}
        ref={ref}
        rows={2}
        value={draft}
        disabled={readOnly}
        onChange={(event) => onDraftChange(event.target.value)}
        onKeyDown={onKeyDown}
        placeholder={readOnly ? "You can read this chat but not write in it." : "Ask anything — answers come first from your vault…"}
        aria-describedby={`${id}-hint`}
        // The form draws the focus ring (focus-within); the global focus outline would double it.
        style={{ outline: "none" }}
        className="block max-h-60 w-full resize-none rounded-t-lg bg-transparent px-3 py-2.5 text-sm placeholder:text-zinc-400 disabled:cursor-not-allowed disabled:bg-zinc-50"
      />
      {toolbar && !readOnly ? <div className="border-t border-zinc-100 px-3 py-1.5">{toolbar}</div> : null}
      <div className="flex items-center justify-between gap-3 border-t border-zinc-100 px-3 py-2">
        <p id={`${id}-hint`} className="text-xs text-zinc-500">
          {readOnlyReason ?? (streaming ? "An answer is being written…" : "Enter to send · Shift+Enter for a new line")}
        </p>
        {streaming && canStop ? (
          <button type="button" onClick={onStop} disabled={stopping} className={buttonClass("secondary", "py-1.5")}>
            <StopIcon />
            {stopping ? "Stopping…" : "Stop"}
          </button>
        ) : (
          <button type="submit" disabled={readOnly || streaming || empty} className={buttonClass("primary", "py-1.5")}>
            Send
          </button>
        )}
      </div>
    </form>
  );
}
