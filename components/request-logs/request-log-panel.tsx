"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, useTRPCClient } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { Field, SelectField } from "@/components/ui/field";
import { errorMessage } from "@/lib/errors";
import { formatUsd } from "@/lib/money";
import { LocalTime } from "@/components/providers/display";

type Status = "" | "complete" | "stopped" | "error";

/** The owner's request log: filters, the table, a CSV of what the filters show, and the retention period. */
export function RequestLogPanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [model, setModel] = useState("");
  const [status, setStatus] = useState<Status>("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [days, setDays] = useState<string>("");
  const filter = {
    model: model.trim() || null,
    status: status || null,
    from: from ? new Date(`${from}T00:00:00`) : null,
    to: to ? new Date(`${to}T23:59:59.999`) : null,
  };
  const log = useQuery(trpc.requestLogs.list.queryOptions({ projectId, filter }, { placeholderData: keepPreviousData }));
  const retention = useMutation(trpc.requestLogs.setRetention.mutationOptions());

  async function downloadCsv() {
    const csv = await client.requestLogs.csv.query({ projectId, filter });
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "request-log.csv";
    link.click();
    URL.revokeObjectURL(url);
  }

  return (
    <div className="space-y-4">
      <div className="grid gap-3 sm:grid-cols-4">
        <Field label="Model" value={model} onChange={(e) => setModel(e.target.value)} placeholder="any" />
        <SelectField<Status>
          label="Status"
          value={status}
          options={[
            { value: "", label: "Any" },
            { value: "complete", label: "Complete" },
            { value: "stopped", label: "Stopped" },
            { value: "error", label: "Error" },
          ]}
          onChange={setStatus}
        />
        <Field label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <Field label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      {log.isError ? <Alert tone="error">{log.error.message}</Alert> : null}
      <div className="overflow-x-auto">
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Model calls</caption>
          <thead className="border-b border-zinc-200 text-zinc-500">
            <tr>
              {["Time", "Member", "Agent", "Model", "Tier", "Status", "First token", "Total", "Tokens", "Cost", "Error"].map((h) => (
                <th key={h} scope="col" className="px-2 py-1 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {log.data?.rows.map((r) => (
              <tr key={r.id} className="border-b border-zinc-100">
                <td className="px-2 py-1 whitespace-nowrap"><LocalTime date={r.createdAt} /></td>
                <td className="px-2 py-1">{r.member ?? "former member"}</td>
                <td className="px-2 py-1">{r.agentName ?? "—"}</td>
                <td className="px-2 py-1">{r.model}</td>
                <td className="px-2 py-1">{r.tier}</td>
                <td className="px-2 py-1">{r.status}</td>
                <td className="px-2 py-1">{r.ttftMs === null ? "—" : `${r.ttftMs} ms`}</td>
                <td className="px-2 py-1">{r.latencyMs} ms</td>
                <td className="px-2 py-1">
                  {r.tokensIn} in · {r.tokensOut} out
                </td>
                <td className="px-2 py-1">{formatUsd(r.costMicros, { precision: "micros" })}</td>
                <td className="px-2 py-1 text-red-700">{r.error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {log.data && log.data.rows.length === 0 ? <p className="py-3 text-sm text-zinc-600">No calls match these filters.</p> : null}
      </div>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <button type="button" className={buttonClass("secondary")} onClick={() => void downloadCsv()}>
          Export CSV
        </button>
        <form
          className="flex items-end gap-2"
          onSubmit={async (event) => {
            event.preventDefault();
            setNotice(null);
            try {
              const saved = await retention.mutateAsync({ projectId, days: Number(days || log.data?.retentionDays) });
              setNotice(`Calls are now kept for ${saved.requestLogDays} days.`);
              await queryClient.invalidateQueries(trpc.requestLogs.list.queryFilter());
            } catch (error) {
              setNotice(errorMessage(error, "Could not change the retention period."));
            }
          }}
        >
          <Field label="Keep calls for (days)" type="number" min={1} max={365} value={days || String(log.data?.retentionDays ?? "")} onChange={(e) => setDays(e.target.value)} />
          <button type="submit" className={buttonClass("secondary")}>
            Save retention
          </button>
        </form>
      </div>
      {notice ? <Alert tone="info">{notice}</Alert> : null}
    </div>
  );
}
