"use client";

import { useId, useState } from "react";
import type { EdgeStyle } from "./types";

export const EDGE_COLORS = [
  { value: "#52525b", name: "Grey" },
  { value: "#059669", name: "Green" },
  { value: "#2563eb", name: "Blue" },
  { value: "#d97706", name: "Amber" },
  { value: "#dc2626", name: "Red" },
  { value: "#7c3aed", name: "Violet" },
] as const;

/** Line, colour and arrowheads of a person's edge (canvas_edges.style). */
export function EdgeStyleFields({ style, onChange }: { style: EdgeStyle; onChange: (style: EdgeStyle) => void }) {
  const lineId = useId();
  const colorId = useId();
  const startId = useId();
  const endId = useId();
  const field = "rounded-md border border-zinc-300 px-2 py-1 text-sm focus:border-emerald-500 focus:outline-none";
  return (
    <div className="grid grid-cols-2 gap-2">
      <div className="flex flex-col gap-1">
        <label htmlFor={lineId} className="text-xs font-medium text-zinc-700">
          Line
        </label>
        <select id={lineId} className={field} value={style.line ?? "solid"} onChange={(e) => onChange({ ...style, line: e.target.value === "dashed" ? "dashed" : "solid" })}>
          <option value="solid">Solid</option>
          <option value="dashed">Dashed</option>
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={colorId} className="text-xs font-medium text-zinc-700">
          Colour
        </label>
        <select id={colorId} className={field} value={style.color ?? "#52525b"} onChange={(e) => onChange({ ...style, color: e.target.value })}>
          {EDGE_COLORS.map((c) => (
            <option key={c.value} value={c.value}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <div className="flex items-center gap-1.5">
        <input id={startId} type="checkbox" checked={style.arrowStart ?? false} onChange={(e) => onChange({ ...style, arrowStart: e.target.checked })} />
        <label htmlFor={startId} className="text-xs text-zinc-700">
          Arrow at start
        </label>
      </div>
      <div className="flex items-center gap-1.5">
        <input id={endId} type="checkbox" checked={style.arrowEnd ?? false} onChange={(e) => onChange({ ...style, arrowEnd: e.target.checked })} />
        <label htmlFor={endId} className="text-xs text-zinc-700">
          Arrow at end
        </label>
      </div>
    </div>
  );
}

/** Asked after a person drags a connection between two nodes: label and style, then the edge is saved. */
export function EdgeDialog({
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  pending: boolean;
  error?: string;
  onSubmit: (value: { label: string; style: EdgeStyle }) => void;
  onCancel: () => void;
}) {
  const labelId = useId();
  const titleId = useId();
  const [label, setLabel] = useState("");
  const [style, setStyle] = useState<EdgeStyle>({ line: "solid", color: "#52525b", arrowEnd: true });
  return (
    <div className="absolute inset-0 z-20 flex items-center justify-center bg-zinc-900/20">
      <form
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="flex w-80 flex-col gap-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-lg"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit({ label, style });
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape") onCancel();
        }}
      >
        <h2 id={titleId} className="text-sm font-semibold text-zinc-900">
          New edge
        </h2>
        <div className="flex flex-col gap-1">
          <label htmlFor={labelId} className="text-xs font-medium text-zinc-700">
            Edge label
          </label>
          <input id={labelId} autoFocus value={label} onChange={(e) => setLabel(e.target.value)} maxLength={200} className="rounded-md border border-zinc-300 px-2 py-1 text-sm focus:border-emerald-500 focus:outline-none" placeholder="e.g. supports, contradicts" />
        </div>
        <EdgeStyleFields style={style} onChange={setStyle} />
        {error ? <p className="text-xs text-red-600">{error}</p> : null}
        <div className="flex justify-end gap-2">
          <button type="button" onClick={onCancel} className="rounded-md px-2.5 py-1 text-xs text-zinc-600 hover:bg-zinc-100">
            Cancel
          </button>
          <button type="submit" disabled={pending} className="rounded-md bg-emerald-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-emerald-700 disabled:opacity-50">
            Add edge
          </button>
        </div>
      </form>
    </div>
  );
}
