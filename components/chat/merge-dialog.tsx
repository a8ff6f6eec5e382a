"use client";

import { useEffect, useId, useRef, useState } from "react";
import { buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import type { ThreadBranch } from "./types";

export const DEFAULT_MERGE_PROMPT = "Bring these two lines of thought together: keep what each got right, resolve where they disagree.";

export type MergeChoice = { first: ThreadBranch; second: ThreadBranch; content: string };

/** Branches that can take part in a merge: with a message at their tip, not archived. */
export function mergeableBranches(branches: ThreadBranch[]): ThreadBranch[] {
  return branches.filter((b) => b.tipMessageId && b.status !== "archived");
}

/**
 * "Merge branches": pick two branch tips of this chat and say what the merge
 * should do; the answer continues on a new branch. The server checks
 * everything again (an ancestor, a moved tip, the role) and says why it refuses.
 */
export function MergeButton({ branches, currentId, disabled, onMerge }: { branches: ThreadBranch[]; currentId: string; disabled: boolean; onMerge: (choice: MergeChoice) => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const candidates = mergeableBranches(branches);
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  if (candidates.length < 2) return null;
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} disabled={disabled} className={buttonClass("secondary", "py-1.5")}>
        Merge branches
      </button>
      <dialog
        ref={dialogRef}
        aria-labelledby="merge-dialog-title"
        onClose={() => setOpen(false)}
        className="m-auto w-[32rem] max-w-[calc(100vw-2rem)] rounded-lg border border-zinc-200 p-0 shadow-xl backdrop:bg-zinc-900/30"
      >
        {open ? (
          <MergeForm
            branches={candidates}
            currentId={currentId}
            onCancel={() => setOpen(false)}
            onSubmit={(choice) => {
              setOpen(false);
              onMerge(choice);
            }}
          />
        ) : null}
      </dialog>
    </>
  );
}

function MergeForm({ branches, currentId, onSubmit, onCancel }: { branches: ThreadBranch[]; currentId: string; onSubmit: (choice: MergeChoice) => void; onCancel: () => void }) {
  const firstId = useId();
  const secondId = useId();
  const promptId = useId();
  const hintId = useId();
  const initialFirst = branches.find((b) => b.id === currentId) ?? branches[0];
  const [first, setFirst] = useState(initialFirst?.id ?? "");
  const [second, setSecond] = useState(branches.find((b) => b.id !== initialFirst?.id)?.id ?? "");
  const [content, setContent] = useState(DEFAULT_MERGE_PROMPT);
  const firstBranch = branches.find((b) => b.id === first);
  const secondBranch = branches.find((b) => b.id === second);
  const problem = first === second ? "Pick two different branches." : !content.trim() ? "Say what the merge should do." : null;
  const option = (b: ThreadBranch) => (
    <option key={b.id} value={b.id}>
      {b.title}
      {b.status === "merged" ? " (merged)" : ""}
    </option>
  );
  return (
    <form
      className="space-y-4 p-5"
      onSubmit={(event) => {
        event.preventDefault();
        if (problem || !firstBranch || !secondBranch) return;
        onSubmit({ first: firstBranch, second: secondBranch, content: content.trim() });
      }}
    >
      <div>
        <h2 id="merge-dialog-title" className="text-base font-semibold text-zinc-900">
          Merge branches
        </h2>
        <p className="mt-1 text-sm text-zinc-600">
          The newest messages of two branches become the parents of one new message. Its answer sees both lines — what they share once — and continues on a new branch.
        </p>
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="space-y-1">
          <label htmlFor={firstId} className="block text-sm font-medium text-zinc-800">
            First branch
          </label>
          <select id={firstId} value={first} onChange={(e) => setFirst(e.target.value)} className={inputClass}>
            {branches.map(option)}
          </select>
        </div>
        <div className="space-y-1">
          <label htmlFor={secondId} className="block text-sm font-medium text-zinc-800">
            Second branch
          </label>
          <select id={secondId} value={second} onChange={(e) => setSecond(e.target.value)} className={inputClass}>
            {branches.map(option)}
          </select>
        </div>
      </div>
      <div className="space-y-1">
        <label htmlFor={promptId} className="block text-sm font-medium text-zinc-800">
          Message for the merge
        </label>
        <textarea id={promptId} value={content} rows={3} onChange={(e) => setContent(e.target.value)} aria-describedby={hintId} className={inputClass} />
        <p id={hintId} className={`text-xs ${problem ? "text-red-700" : "text-zinc-500"}`} role={problem ? "alert" : undefined}>
          {problem ?? "The answer follows the model picked below the conversation, as any message does."}
        </p>
      </div>
      <div className="flex justify-end gap-2">
        <button type="button" onClick={onCancel} className={buttonClass("secondary")}>
          Cancel
        </button>
        <button type="submit" disabled={Boolean(problem)} className={buttonClass("primary")}>
          Merge
        </button>
      </div>
    </form>
  );
}
