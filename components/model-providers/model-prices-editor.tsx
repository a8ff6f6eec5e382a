"use client";

import { useMutation } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { errorMessage } from "@/lib/errors";
import { formatUsd } from "@/lib/money";
import { priceForInput, priceFromInput } from "@/lib/price-input";
import type { AppRouter } from "@/server/routers/_app";

type Row = inferRouterOutputs<AppRouter>["admin"]["modelPrices"][number];

/** One row per model of model_prices: its two prices in dollars per million tokens and whether it is retired, saved row by row. */
export function ModelPricesEditor({ rows }: { rows: Row[] }) {
  return (
    <ul aria-label="Models" className="divide-y divide-zinc-100">
      {rows.map((row) => (
        <li key={row.model} className="py-3">
          <PriceRow row={row} />
        </li>
      ))}
    </ul>
  );
}

function PriceRow({ row }: { row: Row }) {
  const trpc = useTRPC();
  const [saved, setSaved] = useState(row);
  const [input, setInput] = useState(priceForInput(row.inputMicrosPerMTok));
  const [output, setOutput] = useState(priceForInput(row.outputMicrosPerMTok));
  const [retired, setRetired] = useState(row.deprecated !== 0);
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const update = useMutation(trpc.admin.updateModelPrice.mutationOptions());

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setMessage(null);
    const inputMicros = priceFromInput(input);
    const outputMicros = priceFromInput(output);
    if (inputMicros === null || outputMicros === null) {
      setMessage({ tone: "error", text: "Enter both prices in US dollars per million tokens, like 3 or 0.15." });
      return;
    }
    try {
      const next = await update.mutateAsync({ model: row.model, inputMicrosPerMTok: inputMicros, outputMicrosPerMTok: outputMicros, deprecated: retired });
      setSaved(next);
      setMessage({ tone: "success", text: `${row.label} saved: ${formatUsd(next.inputMicrosPerMTok)} in, ${formatUsd(next.outputMicrosPerMTok)} out per million tokens, for new answers.` });
    } catch (err) {
      setMessage({ tone: "error", text: errorMessage(err, "Could not save the price.") });
    }
  }

  return (
    <form onSubmit={save} aria-label={row.label} className="space-y-2">
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-48 flex-1">
          <p className="font-medium text-zinc-900">{row.label}</p>
          <p className="font-mono text-xs text-zinc-600">
            {row.model} · {row.provider}
            {saved.deprecated ? " · retired" : ""}
          </p>
        </div>
        <label className="text-xs text-zinc-700">
          Input price of {row.label} (USD per million tokens)
          <input inputMode="decimal" className="mt-1 block w-28 rounded-md border border-zinc-300 px-2 py-1 text-sm" value={input} onChange={(e) => setInput(e.target.value)} />
        </label>
        <label className="text-xs text-zinc-700">
          Output price of {row.label} (USD per million tokens)
          <input inputMode="decimal" className="mt-1 block w-28 rounded-md border border-zinc-300 px-2 py-1 text-sm" value={output} onChange={(e) => setOutput(e.target.value)} />
        </label>
        <label className="flex items-center gap-2 text-sm text-zinc-700">
          <input type="checkbox" checked={retired} onChange={(e) => setRetired(e.target.checked)} /> Retired
        </label>
        <button type="submit" className={buttonClass("secondary", "py-1")} disabled={update.isPending} aria-label={`Save the price of ${row.label}`}>
          {update.isPending ? "Saving…" : "Save"}
        </button>
      </div>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
    </form>
  );
}
