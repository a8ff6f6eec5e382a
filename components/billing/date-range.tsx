"use client";

import { useTimeZone } from "@/components/providers/display";
import { inputClass } from "@/components/ui/field";
import { dayIn } from "@/lib/datetime";

export type DayRange = { from: string; to: string };

/** The last `days` calendar days in `zone` (the person's: the server buckets usage by the same days). */
export function lastDays(days: number, zone: string, now = new Date()): DayRange {
  const to = dayIn(now, zone);
  const [y, m, d] = to.split("-").map(Number);
  const from = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) - (days - 1))).toISOString().slice(0, 10);
  return { from, to };
}

export function thisMonth(zone: string, now = new Date()): DayRange {
  const to = dayIn(now, zone);
  return { from: `${to.slice(0, 7)}-01`, to };
}

const PRESETS = [
  { label: "7 days", range: (zone: string) => lastDays(7, zone) },
  { label: "30 days", range: (zone: string) => lastDays(30, zone) },
  { label: "This month", range: (zone: string) => thisMonth(zone) },
  { label: "90 days", range: (zone: string) => lastDays(90, zone) },
];

/** Two labelled date inputs (days in the person's time zone) and quick presets. */
export function DateRangePicker({ value, onChange }: { value: DayRange; onChange: (next: DayRange) => void }) {
  const zone = useTimeZone();
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
          const r = p.range(zone);
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
