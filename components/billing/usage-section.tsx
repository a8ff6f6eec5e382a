"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTimeZone } from "@/components/providers/display";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { BreakdownTable } from "./breakdown-table";
import { DateRangePicker, type DayRange, lastDays } from "./date-range";
import { UsageCharts } from "./usage-charts";

function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

/** Charts, breakdowns and the CSV export for the account (no projectId) or one project. */
export function UsageSection({ projectId }: { projectId?: string }) {
  const trpc = useTRPC();
  const zone = useTimeZone();
  const [range, setRange] = useState<DayRange>(() => lastDays(30, zone));
  const account = useQuery({ ...trpc.billing.usage.queryOptions(range), enabled: !projectId, refetchOnMount: "always" });
  const project = useQuery({
    ...trpc.billing.project.queryOptions({ projectId: projectId ?? "", ...range }),
    enabled: Boolean(projectId),
    refetchOnMount: "always",
  });
  const data = projectId ? project.data : account.data;
  const error = projectId ? project.error : account.error;
  const accountCsv = useMutation(trpc.billing.exportCsv.mutationOptions({ onSuccess: (csv) => download(`arbor-usage-${range.from}-to-${range.to}.csv`, csv) }));
  const projectCsv = useMutation(trpc.billing.projectCsv.mutationOptions({ onSuccess: (csv) => download(`arbor-project-usage-${range.from}-to-${range.to}.csv`, csv) }));
  const csvPending = accountCsv.isPending || projectCsv.isPending;
  return (
    <section aria-labelledby="usage-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="usage-heading" className="text-base font-semibold text-zinc-900">
          Usage
        </h2>
        <div className="flex flex-wrap items-end gap-3">
          <DateRangePicker value={range} onChange={setRange} />
          <Button
            variant="secondary"
            disabled={csvPending}
            onClick={() => (projectId ? projectCsv.mutate({ projectId, ...range }) : accountCsv.mutate(range))}
          >
            {csvPending ? "Preparing…" : "Download CSV"}
          </Button>
        </div>
      </div>
      {error ? <Alert tone="error">{error.message}</Alert> : null}
      {accountCsv.error || projectCsv.error ? <Alert tone="error">{(accountCsv.error ?? projectCsv.error)?.message}</Alert> : null}
      {!data ? (
        <div role="status" className="h-44 animate-pulse rounded-lg bg-zinc-100">
          <span className="sr-only">Loading usage</span>
        </div>
      ) : (
        <>
          <UsageCharts points={data.daily} />
          <div className={`grid gap-4 ${projectId ? "lg:grid-cols-2" : "lg:grid-cols-3"}`}>
            <BreakdownTable title="By model" rows={data.byModel} empty="No model calls in this range." />
            {projectId ? null : <BreakdownTable title="By project" rows={data.byProject} empty="No project used the cloud in this range." />}
            <BreakdownTable title="By member" rows={data.byMember} empty="Nobody used the cloud in this range." />
          </div>
        </>
      )}
    </section>
  );
}
