"use client";

import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatUsd } from "@/lib/money";

export type DayPoint = { day: string; chargedMicros: bigint; requests: number; tokensIn: number; tokensOut: number };

// Charts need plain numbers; the bigint is converted here, at the drawing edge, and labels are formatted from the bigint.
function toRows(points: DayPoint[]) {
  return points.map((p) => ({
    day: p.day.slice(5),
    fullDay: p.day,
    cost: Number(p.chargedMicros),
    costLabel: formatUsd(p.chargedMicros),
    requests: p.requests,
    tokensIn: p.tokensIn,
    tokensOut: p.tokensOut,
  }));
}

function ChartCard({ title, summary, children }: { title: string; summary: string; children: React.ReactNode }) {
  return (
    <figure className="rounded-lg border border-zinc-200 bg-white p-4">
      <figcaption className="mb-2 flex items-baseline justify-between">
        <span className="text-sm font-semibold text-zinc-900">{title}</span>
        <span className="text-xs text-zinc-500">{summary}</span>
      </figcaption>
      <div className="h-44">{children}</div>
    </figure>
  );
}

export function UsageCharts({ points }: { points: DayPoint[] }) {
  const rows = toRows(points);
  const total = points.reduce((s, p) => s + p.chargedMicros, 0n);
  const requests = points.reduce((s, p) => s + p.requests, 0);
  const tokens = points.reduce((s, p) => s + p.tokensIn + p.tokensOut, 0);
  const today = new Date().toISOString().slice(0, 10);
  const todayPoint = points.find((p) => p.day === today);
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <ChartCard title="Daily cost" summary={`${formatUsd(total)} total`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#f4f4f5" vertical={false} />
            <XAxis dataKey="day" tick={{ fontSize: 10 }} interval="preserveStartEnd" />
            <YAxis
              tick={{ fontSize: 10 }}
              width={56}
              // an empty range still gets a readable axis ($0.00–$0.01) instead of repeated sub-cent ticks
              domain={[0, (max: number) => Math.max(max, 10_000)]}
              tickFormatter={(v: number) => formatUsd(BigInt(Math.round(v)))}
            />
            <Tooltip formatter={(_v, _n, item) => [(item.payload as { costLabel: string }).costLabel, "Cost"]} labelFormatter={(_l, p) => String(p?.[0]?.payload?.fullDay ?? "")} />
            <Bar dataKey="cost" name="Cost" fill="#047857" radius={[3, 3, 0, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>
      <ChartCard title="Requests" summary={`${requests.toLocaleString("en-US")} total`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#f4f4f5" vertical={false} />
            <XAxis dataKey="day" tick={{ fontSize: 10 }} interval="preserveStartEnd" />
            <YAxis tick={{ fontSize: 10 }} width={32} allowDecimals={false} domain={[0, (max: number) => Math.max(max, 4)]} />
            <Tooltip />
            <Bar dataKey="requests" name="Requests" fill="#0f766e" radius={[3, 3, 0, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>
      <ChartCard title="Tokens" summary={`${tokens.toLocaleString("en-US")} total`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#f4f4f5" vertical={false} />
            <XAxis dataKey="day" tick={{ fontSize: 10 }} interval="preserveStartEnd" />
            <YAxis tick={{ fontSize: 10 }} width={44} />
            <Tooltip />
            <Line type="monotone" dataKey="tokensIn" name="Input tokens" stroke="#059669" dot={false} />
            <Line type="monotone" dataKey="tokensOut" name="Output tokens" stroke="#71717a" dot={false} />
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>
      {/* the same figures as text, for screen readers and tests */}
      <p className="sr-only" data-testid="usage-today">
        Today: {formatUsd(todayPoint?.chargedMicros ?? 0n)} across {todayPoint?.requests ?? 0} requests
      </p>
    </div>
  );
}
