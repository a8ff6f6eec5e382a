"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTimeZone } from "@/components/providers/display";
import { useTRPC } from "@/components/providers/trpc";
import { Card } from "@/components/ui/card";
import { formatUsd } from "@/lib/money";
import { lastDays } from "./date-range";
import { UsageSection } from "./usage-section";

/** The owner's view of one project's spend: members against their quotas, then usage. */
export function ProjectBilling({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const zone = useTimeZone();
  const summary = useQuery(trpc.billing.summary.queryOptions());
  const members = useQuery(trpc.billing.project.queryOptions({ projectId, ...lastDays(1, zone) }));
  return (
    <div className="space-y-6">
      <Card>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <h2 className="text-base font-semibold text-zinc-900">Who pays</h2>
            <p className="mt-1 text-sm text-zinc-600">
              Cloud answers in this project are charged to your billing account
              {summary.data ? ` (${summary.data.tier === "free" ? `Free: ${formatUsd(summary.data.allowanceLeftMicros ?? 0n)} of the allowance left` : summary.data.tier === "managed" ? "Managed" : "Bring your own key"})` : ""}
              , capped for each member by their quota.
            </p>
          </div>
          <Link href="/billing" className="text-sm font-medium text-emerald-700 hover:underline">
            Account billing
          </Link>
        </div>
        <table className="mt-4 w-full text-sm">
          <thead>
            <tr className="text-left text-xs text-zinc-500">
              <th scope="col" className="py-2 font-medium">Member</th>
              <th scope="col" className="py-2 font-medium">Role</th>
              <th scope="col" className="py-2 text-right font-medium">Spent</th>
              <th scope="col" className="py-2 text-right font-medium">Quota</th>
            </tr>
          </thead>
          <tbody>
            {(members.data?.members ?? []).map((m) => (
              <tr key={m.userId} className="border-t border-zinc-100">
                <td className="py-2 text-zinc-800">{m.name || m.email}</td>
                <td className="py-2 text-zinc-600">{m.role ?? "left the project"}</td>
                <td className="py-2 text-right tabular-nums">{formatUsd(m.spentMicros)}</td>
                <td className="py-2 text-right tabular-nums text-zinc-600">{m.quotaMicros === null ? "No cap" : formatUsd(m.quotaMicros)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="mt-2 text-xs text-zinc-500">
          Spend counts every membership: someone who leaves and comes back keeps what they spent. Change quotas on the Members tab.
        </p>
      </Card>
      <UsageSection projectId={projectId} />
    </div>
  );
}
