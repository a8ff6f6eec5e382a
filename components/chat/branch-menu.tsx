"use client";

import { useEffect, useId, useRef, useState } from "react";
import { buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import type { ThreadBranch } from "./types";

type Props = {
  branches: ThreadBranch[];
  currentId: string | null;
  canWrite: boolean;
  onSwitch: (branchId: string) => void;
  onRename: (branchId: string, title: string) => Promise<void>;
  onArchive: (branchId: string, archived: boolean) => Promise<void>;
};

/** The "Branches" popover: every line of thought in this chat; switch, rename, archive. */
export function BranchMenu({ branches, currentId, canWrite, onSwitch, onRename, onArchive }: Props) {
  const [open, setOpen] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showArchived, setShowArchived] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    function onPointer(event: PointerEvent) {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) setOpen(false);
    }
    function onKey(event: KeyboardEvent) {
      if (event.key === "Escape" && !renaming) {
        setOpen(false);
        buttonRef.current?.focus();
      }
    }
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open, renaming]);

  // merged branches stay in the list (they can still be read, continued or merged again), marked as such
  const active = branches.filter((b) => b.status !== "archived" || b.id === currentId);
  const archived = branches.filter((b) => b.status === "archived" && b.id !== currentId);
  const current = branches.find((b) => b.id === currentId);

  async function attempt(work: () => Promise<void>) {
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err instanceof Error ? err.message : "That did not work. Please try again.");
    }
  }

  function row(branch: ThreadBranch) {
    const isCurrent = branch.id === currentId;
    if (renaming === branch.id) {
      return (
        <li key={branch.id} className="px-2 py-1.5">
          <RenameForm
            initial={branch.title}
            onCancel={() => setRenaming(null)}
            onSave={(title) =>
              attempt(async () => {
                await onRename(branch.id, title);
                setRenaming(null);
              })
            }
          />
        </li>
      );
    }
    return (
      <li key={branch.id} className="flex items-center gap-1 rounded-md px-1 hover:bg-zinc-50">
        <button
          type="button"
          aria-current={isCurrent ? "true" : undefined}
          onClick={() => {
            onSwitch(branch.id);
            setOpen(false);
          }}
          className="flex min-w-0 flex-1 items-center gap-2 rounded px-1.5 py-1.5 text-left text-sm"
        >
          <span aria-hidden className={`size-2 shrink-0 rounded-full ${isCurrent ? "bg-emerald-600" : "bg-zinc-300"}`} />
          <span title={branch.title} className={`truncate ${isCurrent ? "font-semibold text-zinc-900" : "text-zinc-700"}`}>
            {branch.title}
          </span>
          {/* aria-current says it to assistive tech; the word is for the eye */}
          {isCurrent ? (
            <span aria-hidden className="shrink-0 text-xs text-emerald-700">
              (current)
            </span>
          ) : null}
          {branch.status === "archived" || branch.status === "merged" ? (
            <span className={`shrink-0 text-xs ${branch.status === "merged" ? "text-violet-700" : "text-zinc-400"}`}>{branch.status}</span>
          ) : null}
        </button>
        {canWrite ? (
          <>
            <button type="button" aria-label={`Rename branch ${branch.title}`} title="Rename" onClick={() => setRenaming(branch.id)} className="rounded px-1.5 py-1 text-xs text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900">
              Rename
            </button>
            <button
              type="button"
              aria-label={`${branch.status === "archived" ? "Restore" : "Archive"} branch ${branch.title}`}
              onClick={() => attempt(() => onArchive(branch.id, branch.status !== "archived"))}
              className="rounded px-1.5 py-1 text-xs text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900"
            >
              {branch.status === "archived" ? "Restore" : "Archive"}
            </button>
          </>
        ) : null}
      </li>
    );
  }

  return (
    <div ref={rootRef} className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((v) => !v)}
        className={buttonClass("secondary", "py-1.5")}
      >
        Branches
        <span className="max-w-40 truncate font-normal text-zinc-500">{current ? `· ${current.title}` : ""}</span>
        <span className="rounded-full bg-zinc-100 px-1.5 text-xs text-zinc-600">{active.length}</span>
      </button>
      {open ? (
        <div id={panelId} role="region" aria-label="Branches of this chat" className="absolute left-0 z-30 mt-1 w-[26rem] max-w-[calc(100vw-2rem)] rounded-lg border border-zinc-200 bg-white p-1.5 shadow-lg">
          <ul className="max-h-80 space-y-0.5 overflow-y-auto">{active.map(row)}</ul>
          {archived.length > 0 ? (
            <div className="mt-1 border-t border-zinc-100 pt-1">
              <button type="button" aria-expanded={showArchived} onClick={() => setShowArchived((v) => !v)} className="w-full rounded px-2 py-1 text-left text-xs text-zinc-500 hover:bg-zinc-50">
                {showArchived ? "Hide" : "Show"} archived branches ({archived.length})
              </button>
              {showArchived ? <ul className="space-y-0.5">{archived.map(row)}</ul> : null}
            </div>
          ) : null}
          {error ? (
            <p role="alert" className="px-2 py-1 text-xs text-red-700">
              {error}
            </p>
          ) : null}
          <p className="border-t border-zinc-100 px-2 pt-1.5 pb-0.5 text-xs text-zinc-500">Fork any message to start a new branch.</p>
        </div>
      ) : null}
    </div>
  );
}

function RenameForm({ initial, onSave, onCancel }: { initial: string; onSave: (title: string) => void; onCancel: () => void }) {
  const id = useId();
  const [value, setValue] = useState(initial);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim()) onSave(value.trim());
      }}
      className="flex items-center gap-1.5"
    >
      <label htmlFor={id} className="sr-only">
        Branch name
      </label>
      <input
        id={id}
        value={value}
        autoFocus
        maxLength={120}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.stopPropagation();
            onCancel();
          }
        }}
        className={`${inputClass} py-1`}
      />
      <button type="submit" className={buttonClass("primary", "px-2.5 py-1")}>
        Save
      </button>
    </form>
  );
}
