"use client";

type Props = {
  index: number;
  count: number;
  disabled?: boolean;
  onPick: (index: number) => void;
};

/** ‹ 2 / 3 › between the versions of one message (edits of a question, re-answers of a question). */
export function SiblingSwitcher({ index, count, disabled, onPick }: Props) {
  if (count < 2) return null;
  const button =
    "inline-flex size-6 items-center justify-center rounded text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 disabled:cursor-not-allowed disabled:text-zinc-300 disabled:hover:bg-transparent";
  return (
    <div role="group" aria-label="Versions" className="inline-flex items-center gap-0.5 text-xs text-zinc-600">
      <button type="button" aria-label="Previous version" className={button} disabled={disabled || index <= 0} onClick={() => onPick(index - 1)}>
        ‹
      </button>
      <span className="min-w-10 text-center tabular-nums" aria-live="polite">
        {index + 1} / {count}
      </span>
      <button type="button" aria-label="Next version" className={button} disabled={disabled || index >= count - 1} onClick={() => onPick(index + 1)}>
        ›
      </button>
    </div>
  );
}
