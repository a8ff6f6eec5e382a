"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
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
  const [memberId, setMemberId] = useState("");
  const [model, setModel] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  // The box shows the choice at once; the server's answer confirms it (or puts it back).
  const [keepChoice, setKeepChoice] = useState<boolean | null>(null);
  const [status, setStatus] = useState<Status>("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [days, setDays] = useState<string>("");
  const filter = {
    memberId: memberId || null,
    model: model.trim() || null,
    status: status || null,
    from: from ? new Date(`${from}T00:00:00`) : null,
    to: to ? new Date(`${to}T23:59:59.999`) : null,
  };
  const log = useQuery(trpc.requestLogs.list.queryOptions({ projectId, filter }, { placeholderData: keepPreviousData }));
  const members = useQuery(trpc.requestLogs.members.queryOptions({ projectId }));
  const retention = useMutation(trpc.requestLogs.setRetention.mutationOptions());
  const keepBodies = useMutation(trpc.requestLogs.setKeepBodies.mutationOptions());

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
      <div className="grid gap-3 sm:grid-cols-5">
        <SelectField<string>
          label="Member"
          value={memberId}
          options={[{ value: "", label: "Anyone" }, ...(members.data ?? []).map((m) => ({ value: m.id, label: m.current ? m.label : `${m.label} (former member)` }))]}
          onChange={setMemberId}
        />
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
              {["Time", "Member", "Agent", "Model", "Tier", "Status", "First token", "Total", "Tokens", "Cost", "Error", "Bodies"].map((h) => (
                <th key={h} scope="col" className="px-2 py-1 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {log.data?.rows.map((r) => (
              <Fragment key={r.id}>
              <tr className="border-b border-zinc-100">
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
                <td className="px-2 py-1">
                  {r.hasBodies ? (
                    <button type="button" className="text-emerald-700 underline" aria-expanded={open === r.id} onClick={() => setOpen(open === r.id ? null : r.id)}>
                      {open === r.id ? "Hide bodies" : "Show bodies"}
                    </button>
                  ) : (
                    <span className="text-zinc-400">not kept</span>
                  )}
                </td>
              </tr>
              {open === r.id ? (
                <tr className="border-b border-zinc-100 bg-zinc-50">
                  <td colSpan={12} className="px-2 py-2">
                    <CallBodies projectId={projectId} id={r.id} />
                  </td>
                </tr>
              ) : null}
              </Fragment>
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
      <label className="flex items-start gap-2 text-sm text-zinc-800">
        <input
          type="checkbox"
          className="mt-0.5"
          checked={keepChoice ?? log.data?.keepBodies ?? false}
          disabled={!log.data || keepBodies.isPending}
          onChange={async (event) => {
            setNotice(null);
            const enabled = event.target.checked;
            setKeepChoice(enabled);
            try {
              await keepBodies.mutateAsync({ projectId, enabled });
              setNotice(enabled ? "From the next call on, its request and response bodies are kept (keys and credentials removed)." : "From the next call on, no bodies are kept. Bodies already kept stay until the retention period ends.");
              await queryClient.invalidateQueries(trpc.requestLogs.list.queryFilter());
            } catch (error) {
              setKeepChoice(null);
              setNotice(errorMessage(error, "Could not change whether bodies are kept."));
            }
          }}
        />
        <span>
          Keep request and response bodies
          <span className="block text-xs text-zinc-500">
            Off by default. When on, each call keeps what was sent to the model and what it answered, for as long as the log keeps the call. Keys, auth headers and anything shaped like a credential are removed first; only you see them.
          </span>
        </span>
      </label>
      {notice ? <Alert tone="info">{notice}</Alert> : null}
    </div>
  );
}

/** One call's stored bodies, fetched when opened (the list never carries them). */
function CallBodies({ projectId, id }: { projectId: string; id: string }) {
  const trpc = useTRPC();
  const entry = useQuery(trpc.requestLogs.entry.queryOptions({ projectId, id }));
  if (entry.isError) return <Alert tone="error">{entry.error.message}</Alert>;
  if (!entry.data) return <p className="text-zinc-500">Loading the bodies…</p>;
  return (
    <div className="grid gap-3 lg:grid-cols-2">
      <section aria-label="Request body">
        <h3 className="mb-1 font-medium text-zinc-700">Request body</h3>
        <pre className="max-h-80 overflow-auto whitespace-pre-wrap break-words rounded bg-white p-2 ring-1 ring-zinc-200">{entry.data.requestBody ?? "—"}</pre>
      </section>
      <section aria-label="Response body">
        <h3 className="mb-1 font-medium text-zinc-700">Response body</h3>
        <pre className="max-h-80 overflow-auto whitespace-pre-wrap break-words rounded bg-white p-2 ring-1 ring-zinc-200">{entry.data.responseBody ?? "—"}</pre>
      </section>
    </div>
  );
}
