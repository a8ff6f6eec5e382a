"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatDate } from "@/components/providers/display";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { formatBytes } from "@/lib/bytes";

/** Start an export, watch it build, download the zip through a short-lived link. */
export function DataExport() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const fmt = useFormatDate();
  const latest = useQuery({
    ...trpc.account.latestExport.queryOptions(),
    // poll while it builds
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "queued" || q.state.data.status === "building") ? 1_500 : false),
  });
  const refresh = () => queryClient.invalidateQueries(trpc.account.latestExport.queryFilter());
  const start = useMutation(trpc.account.requestExport.mutationOptions({ onSuccess: refresh }));
  const link = useMutation(
    trpc.account.exportDownloadLink.mutationOptions({
      onSuccess: ({ url }) => {
        window.location.assign(url);
      },
    }),
  );
  const job = latest.data;
  const busy = job?.status === "queued" || job?.status === "building";
  return (
    <div className="space-y-3 text-sm">
      {job && busy ? (
        <div className="space-y-1">
          <label htmlFor="export-progress" className="block text-zinc-700">
            Building your export: {job.step ?? "working"}
          </label>
          <progress id="export-progress" className="h-2 w-full accent-emerald-700" max={100} value={job.progress} aria-valuetext={`${job.progress}%`} />
        </div>
      ) : null}
      {job?.status === "ready" ? (
        <p>
          Your export from {fmt(job.finishedAt)} is ready ({formatBytes(job.sizeBytes ?? 0)}). It is kept until {fmt(job.expiresAt)}; each download link works for 15 minutes.
        </p>
      ) : null}
      {job?.status === "failed" ? <Alert tone="error">{job.error ?? "The export failed."}</Alert> : null}
      {!job ? <p className="text-zinc-600">No export yet. It includes your projects, every chat (as a tree and each branch as Markdown), knowledge files, canvas, comments and usage.</p> : null}
      <div className="flex flex-wrap gap-2">
        {job?.status === "ready" ? (
          <Button onClick={() => link.mutate({ exportId: job.id })} disabled={link.isPending}>
            {link.isPending ? "Preparing…" : "Download export"}
          </Button>
        ) : null}
        <Button variant={job?.status === "ready" ? "secondary" : "primary"} onClick={() => start.mutate()} disabled={busy || start.isPending}>
          {busy ? "Export in progress…" : job ? "Make a new export" : "Export my data"}
        </Button>
      </div>
      {start.error ? <Alert tone="error">{start.error.message}</Alert> : null}
      {link.error ? <Alert tone="error">{link.error.message}</Alert> : null}
    </div>
  );
}
