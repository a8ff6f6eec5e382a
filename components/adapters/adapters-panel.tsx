"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, EmptyState } from "@/components/ui/card";
import { formatBytes } from "@/lib/bytes";
import { AdapterUploadForm } from "./upload-form";

const STATUS_TONE = { uploading: "sky", processing: "amber", ready: "emerald", error: "red" } as const;
const STATUS_LABEL = { uploading: "uploading", processing: "verifying", ready: "ready", error: "failed" } as const;

function when(date: Date | string | null): string {
  return date ? new Date(date).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) : "never";
}

/** The project's LoRA registry: upload (editors and owners), the list with what processing read, select for the project, download, delete. */
export function AdaptersPanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery({
    ...trpc.adapters.list.queryOptions({ projectId }),
    refetchInterval: (query) => (query.state.data?.adapters.some((a) => a.status === "processing" || a.status === "uploading") ? 1_500 : false),
  });
  const refresh = useCallback(() => void queryClient.invalidateQueries({ queryKey: trpc.adapters.list.queryKey({ projectId }) }), [queryClient, trpc, projectId]);
  const remove = useMutation(trpc.adapters.delete.mutationOptions({ onSettled: refresh }));
  const select = useMutation(trpc.adapters.select.mutationOptions({ onSettled: refresh }));

  if (list.error) return <Alert tone="error">{list.error.message}</Alert>;
  const data = list.data;
  if (!data) return <p className="text-sm text-zinc-500">Loading the registry…</p>;
  const { storage } = data;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <p className="max-w-2xl text-zinc-600">
          LoRA adapters fine-tuned for this project. Your local model server (vLLM, llama.cpp) serves each under its served name; a chat, an agent or the
          whole project can answer with one. Claude never applies them.
        </p>
        <span className="text-zinc-600" data-testid="adapter-storage">
          Storage: {formatBytes(storage.usedBytes)} of {formatBytes(storage.quotaBytes)} used
        </span>
      </div>

      {data.canEdit ? (
        <Card className="space-y-3">
          <h2 className="text-sm font-semibold text-zinc-900">Add an adapter</h2>
          <AdapterUploadForm projectId={projectId} onChanged={refresh} registry={data.adapters} />
        </Card>
      ) : (
        <Alert tone="info">You can see the registry; editors and owners upload and choose adapters.</Alert>
      )}
      {remove.error ? <Alert tone="error">{remove.error.message}</Alert> : null}
      {select.error ? <Alert tone="error">{select.error.message}</Alert> : null}

      {data.adapters.length === 0 ? (
        <EmptyState title="No adapters yet">
          {data.canEdit ? "Upload a LoRA above: its rank, alpha, target modules and base model appear here once it is verified." : "An editor or the owner can upload one."}
        </EmptyState>
      ) : (
        <ul aria-label="Adapters" className="space-y-3">
          {data.adapters.map((a) => (
            <li key={a.id} aria-label={a.name}>
              <Card className="space-y-2">
                <div className="flex flex-wrap items-center gap-2">
                  <h3 className="font-semibold text-zinc-900">{a.name}</h3>
                  <Badge tone={STATUS_TONE[a.status]}>{STATUS_LABEL[a.status]}</Badge>
                  {data.selectedForProject === a.id ? <Badge tone="violet">used by the whole project</Badge> : null}
                </div>
                {a.status === "error" && a.error ? <p className="text-sm text-red-700">{a.error}</p> : null}
                {a.status === "uploading" && a.resumable ? (
                  <p className="text-sm text-zinc-600">Not all bytes have arrived. Choose the same file above to resume; an upload left for a day is cleaned up.</p>
                ) : null}
                <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
                  <Fact term="Base model" value={a.baseModel} />
                  <Fact term="Rank" value={a.rank ?? "—"} />
                  <Fact term="Alpha" value={a.alpha ?? "not stated"} />
                  <Fact term="Size" value={formatBytes(a.sizeBytes)} />
                  <Fact term="Target modules" value={a.targetModules?.join(", ") || "—"} />
                  <Fact term="Served as" value={a.servedName} />
                  <Fact term="Uses" value={a.useCount} />
                  <Fact term="Last used" value={when(a.lastUsedAt)} />
                  <Fact term="SHA-256" value={<span title={a.sha256} className="font-mono text-xs">{a.sha256.slice(0, 16)}…</span>} />
                  <Fact term="Uploaded" value={a.uploadedAt ? `${when(a.uploadedAt)}${a.uploadedByName ? ` by ${a.uploadedByName}` : ""}` : "—"} />
                  <Fact term="Created" value={when(a.createdAt)} />
                  <Fact term="Stored in" value={a.storedIn ?? "—"} />
                </dl>
                <div className="flex flex-wrap gap-2 pt-1">
                  {a.status === "ready" ? (
                    <a className="rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm text-zinc-800 hover:bg-zinc-100" href={`/api/adapters/${a.id}/download`} download>
                      Download {a.name}
                    </a>
                  ) : null}
                  {data.canEdit && a.status === "ready" ? (
                    data.selectedForProject === a.id ? (
                      <Button variant="secondary" onClick={() => select.mutate({ projectId, target: { kind: "project" }, adapterId: null })}>
                        Stop using for the whole project
                      </Button>
                    ) : (
                      <Button variant="secondary" onClick={() => select.mutate({ projectId, target: { kind: "project" }, adapterId: a.id })}>
                        Use for the whole project
                      </Button>
                    )
                  ) : null}
                  {data.canEdit && a.status !== "uploading" ? (
                    <Button
                      variant="ghost"
                      onClick={() => {
                        if (window.confirm(`Delete “${a.name}”? Its ${formatBytes(a.sizeBytes)} are freed.`)) remove.mutate({ projectId, adapterId: a.id });
                      }}
                    >
                      Delete {a.name}
                    </Button>
                  ) : null}
                </div>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Fact({ term, value }: { term: string; value: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{term}</dt>
      <dd className="truncate text-zinc-800">{value}</dd>
    </div>
  );
}
