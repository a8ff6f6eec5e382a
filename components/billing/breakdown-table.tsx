import { formatUsd } from "@/lib/money";

export type BreakdownRow = { key: string; label: string; chargedMicros: bigint; requests: number; tokens: number };

export function BreakdownTable({ title, rows, empty }: { title: string; rows: BreakdownRow[]; empty: string }) {
  const total = rows.reduce((s, r) => s + r.chargedMicros, 0n);
  return (
    <section aria-label={title} className="rounded-lg border border-zinc-200 bg-white">
      <h3 className="border-b border-zinc-100 px-4 py-2.5 text-sm font-semibold text-zinc-900">{title}</h3>
      {rows.length === 0 ? (
        <p className="px-4 py-6 text-center text-sm text-zinc-500">{empty}</p>
      ) : (
        <div className="overflow-x-auto">
        <table className="w-full table-fixed text-sm">
          <thead>
            <tr className="text-left text-xs text-zinc-500">
              <th scope="col" className="px-4 py-2 font-medium">Name</th>
              <th scope="col" className="w-20 px-2 py-2 text-right font-medium">Requests</th>
              <th scope="col" className="w-16 px-2 py-2 text-right font-medium">Tokens</th>
              <th scope="col" className="w-20 px-4 py-2 text-right font-medium">Cost</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const share = total > 0n ? Number((r.chargedMicros * 1000n) / total) / 10 : 0;
              return (
                <tr key={r.key || r.label} className="border-t border-zinc-100">
                  <td className="truncate px-4 py-2 text-zinc-800" title={r.label}>
                    {r.label}
                    <div className="mt-1 h-1 rounded bg-zinc-100" aria-hidden>
                      <div className="h-1 rounded bg-emerald-600" style={{ width: `${share}%` }} />
                    </div>
                  </td>
                  <td className="px-2 py-2 text-right tabular-nums text-zinc-700">{r.requests.toLocaleString("en-US")}</td>
                  <td className="px-2 py-2 text-right tabular-nums text-zinc-700">{r.tokens.toLocaleString("en-US")}</td>
                  <td className="px-4 py-2 text-right font-medium tabular-nums text-zinc-900">{formatUsd(r.chargedMicros)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}
