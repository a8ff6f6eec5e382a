"use client";

import { inputClass } from "@/components/ui/field";

export type DayRange = { from: string; to: string };

export function lastDays(days: number, now = new Date()): DayRange {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

export function thisMonth(now = new Date()): DayRange {
  return { from: `${now.toISOString().slice(0, 7)}-01`, to: now.toISOString().slice(0, 10) };
}

const PRESETS = [
  { label: "7 days", range: () => lastDays(7) },
  { label: "30 days", range: () => lastDays(30) },
  { label: "This month", range: () => thisMonth() },
  { label: "90 days", range: () => lastDays(90) },
];

/** Two labelled date inputs (UTC days) and quick presets. */
export function DateRangePicker({ value, onChange }: { value: DayRange; onChange: (next: DayRange) => void }) {
  return (
    <fieldset className="flex flex-wrap items-end gap-3">
      <legend className="sr-only">Date range</legend>
      <div className="space-y-1">
        <label htmlFor="usage-from" className="block text-xs font-medium text-zinc-600">
          From
        </label>
        <input
          id="usage-from"
          type="date"
          className={inputClass}
          value={value.from}
          max={value.to}
          onChange={(e) => e.target.value && onChange({ ...value, from: e.target.value })}
        />
      </div>
      <div className="space-y-1">
        <label htmlFor="usage-to" className="block text-xs font-medium text-zinc-600">
          To
        </label>
        <input
          id="usage-to"
          type="date"
          className={inputClass}
          value={value.to}
          min={value.from}
          onChange={(e) => e.target.value && onChange({ ...value, to: e.target.value })}
        />
      </div>
      <fieldset className="flex gap-1">
        <legend className="sr-only">Quick ranges</legend>
        {PRESETS.map((p) => {
          const r = p.range();
          const active = r.from === value.from && r.to === value.to;
          return (
            <button
              key={p.label}
              type="button"
              aria-pressed={active}
              onClick={() => onChange(r)}
              className={`rounded-md px-2.5 py-2 text-xs font-medium ${active ? "bg-emerald-700 text-white" : "border border-zinc-300 bg-white text-zinc-700 hover:bg-zinc-100"}`}
            >
              {p.label}
            </button>
          );
        })}
      </fieldset>
    </fieldset>
  );
}
