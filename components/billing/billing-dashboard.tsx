"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { formatUsd } from "@/lib/money";
import { ByokKeyForm } from "./byok-key-form";
import { CeilingForm } from "./ceiling-form";
import { BuyCreditsForm, PlanButtons } from "./plan-actions";
import { UsageSection } from "./usage-section";
import { useFormatDate } from "@/components/providers/display";

const TIER_NAME = { free: "Free", managed: "Managed", byok: "Bring your own key" } as const;
const TIER_DETAIL = {
  free: "A monthly allowance of cloud usage at cost. Local answers are always free.",
  managed: "Cloud usage at provider cost + 3 %, invoiced monthly. Credits are used first.",
  byok: "Cloud calls use your own Anthropic key; Arbor's fee is 30 % of the cost, invoiced monthly.",
} as const;


function Stat({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div>
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 text-lg font-semibold tabular-nums text-zinc-900">{value}</dd>
      {note ? <dd className="text-xs text-zinc-500">{note}</dd> : null}
    </div>
  );
}

export function BillingDashboard({ checkout }: { checkout: string | null }) {
  const trpc = useTRPC();
  const fmt = useFormatDate();
  const dateText = (d: Date | null | undefined) => fmt(d, "date");
  // Money changes behind the page's back (a checkout, a webhook, an answer): always re-read on arrival.
  const summary = useQuery({ ...trpc.billing.summary.queryOptions(), refetchOnMount: "always" });
  const invoices = useQuery({ ...trpc.billing.invoices.queryOptions(), enabled: Boolean(summary.data?.stripeConfigured) });
  const notes = useQuery({ ...trpc.billing.notifications.queryOptions(), refetchOnMount: "always" });
  if (summary.error) return <Alert tone="error">{summary.error.message}</Alert>;
  const s = summary.data;
  if (!s) return (
      <div role="status" className="h-40 animate-pulse rounded-lg bg-zinc-100">
        <span className="sr-only">Loading billing</span>
      </div>
    );

  return (
    <div className="space-y-6">
      {checkout === "success" ? <Alert tone="success">Payment received. Your plan and balance below are up to date.</Alert> : null}
      {checkout === "cancelled" ? <Alert tone="info">Checkout was cancelled. Nothing was charged.</Alert> : null}

      <div className="grid gap-4 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <div className="flex flex-wrap items-start justify-between gap-3">
            <div>
              <p className="text-xs font-medium uppercase tracking-wide text-zinc-500">Plan</p>
              <h2 className="text-xl font-semibold text-zinc-900" data-testid="billing-tier">
                {TIER_NAME[s.tier]}
              </h2>
              <p className="mt-1 max-w-prose text-sm text-zinc-600">{TIER_DETAIL[s.tier]}</p>
              {s.subscription && s.tier !== "free" ? (
                <p className="mt-1 text-xs text-zinc-500">
                  Subscription {s.subscription.status}
                  {s.subscription.cancelAtPeriodEnd ? ", ends" : ", renews"} {dateText(s.subscription.currentPeriodEnd)}
                </p>
              ) : null}
              {s.pendingCouponPriceMicros !== null ? (
                <p className="mt-1 text-xs font-medium text-emerald-700">
                  A handover gift is waiting: your first year costs {formatUsd(s.pendingCouponPriceMicros)} when you upgrade.
                </p>
              ) : null}
            </div>
          </div>
          <dl className="mt-5 grid grid-cols-2 gap-4 sm:grid-cols-4">
            {s.tier === "free" ? (
              <Stat label="Allowance left" value={formatUsd(s.allowanceLeftMicros ?? 0n)} note={`of ${formatUsd(s.allowanceMicros)} this month`} />
            ) : (
              <Stat label="Unbilled" value={formatUsd(s.unbilledMicros)} note="usage not yet invoiced" />
            )}
            <Stat label="Credits" value={formatUsd(s.creditsMicros)} note="used first" />
            <Stat label="Spent this month" value={formatUsd(s.periodSpentMicros)} note={`resets ${dateText(s.periodEnd)}`} />
            <Stat
              label={s.nextInvoice ? "Next invoice" : "Ceiling"}
              value={s.nextInvoice ? `≈ ${formatUsd(s.nextInvoice.estimateMicros)}` : s.ceilingMicros === null ? "None" : formatUsd(s.ceilingMicros)}
              note={s.nextInvoice ? dateText(s.nextInvoice.date) : s.remainingMicros === null ? "no limit set" : `${formatUsd(s.remainingMicros)} left`}
            />
          </dl>
          {s.reservedMicros > 0n ? <p className="mt-3 text-xs text-zinc-500">{formatUsd(s.reservedMicros)} is held for answers being written right now.</p> : null}
          <div className="mt-5 border-t border-zinc-100 pt-4">
            {s.checkoutMode === "unavailable" ? (
              <p className="text-sm text-zinc-700" data-testid="payments-unavailable">{s.paymentsUnavailable}</p>
            ) : (
              <PlanButtons tier={s.tier} stripeConfigured={s.stripeConfigured} />
            )}
            {s.checkoutMode === "test" ? (
              <p className="mt-2 text-xs text-zinc-500">Stripe is not configured on this server: checkout opens a clearly marked test page and nothing real is charged.</p>
            ) : null}
          </div>
        </Card>

        <Card>
          <h2 className="text-base font-semibold text-zinc-900">Buy credits</h2>
          <div className="mt-3">
            {s.checkoutMode === "unavailable" ? <p className="text-sm text-zinc-600">Credits cannot be bought on this server: it takes no payments.</p> : <BuyCreditsForm />}
          </div>
        </Card>
      </div>

      <div className="grid gap-4 lg:grid-cols-3">
        <Card>
          <h2 className="text-base font-semibold text-zinc-900">Spending ceiling</h2>
          <div className="mt-3">
            <CeilingForm ceilingMicros={s.ceilingMicros} />
          </div>
        </Card>
        <Card>
          <h2 className="text-base font-semibold text-zinc-900">Your Anthropic key</h2>
          <p className="mt-1 text-sm text-zinc-600">Used on the Bring your own key plan.</p>
          <div className="mt-3">
            <ByokKeyForm hint={s.keyHint} tier={s.tier} />
          </div>
        </Card>
        <Card>
          <h2 className="text-base font-semibold text-zinc-900">Notifications</h2>
          {!notes.data?.length ? (
            <p className="mt-3 text-sm text-zinc-500">Budget alerts at 50 %, 80 % and 100 % and payment notices appear here; whether alerts also mail you is your choice on the account page.</p>
          ) : (
            <ul className="mt-3 max-h-56 space-y-2 overflow-y-auto">
              {notes.data.map((n) => (
                <li key={n.id} className="text-sm">
                  <p className={`font-medium ${n.readAt ? "text-zinc-600" : "text-zinc-900"}`}>{n.title}</p>
                  <p className="text-xs text-zinc-500">{n.body}</p>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <UsageSection />

      {s.stripeConfigured ? (
        <Card>
          <h2 className="text-base font-semibold text-zinc-900">Invoices</h2>
          {invoices.error ? <Alert tone="error">{invoices.error.message}</Alert> : null}
          {invoices.data?.upcoming ? (
            <section aria-labelledby="upcoming-invoice" className="mt-3 rounded-md border border-zinc-200 p-3">
              <h3 id="upcoming-invoice" className="text-sm font-medium text-zinc-900">
                Upcoming invoice{invoices.data.upcoming.periodEnd ? `, ${dateText(invoices.data.upcoming.periodEnd)}` : ""}
              </h3>
              <table className="mt-2 w-full text-sm" aria-label="Upcoming invoice lines">
                <tbody>
                  {invoices.data.upcoming.lines.map((line, i) => (
                    <tr key={`${line.description}-${i}`} className="border-t border-zinc-100">
                      <td className="py-1.5">{line.description}</td>
                      <td className="py-1.5 text-right tabular-nums">{formatUsd(line.amountMicros)}</td>
                    </tr>
                  ))}
                  <tr className="border-t border-zinc-200 font-medium">
                    <td className="py-1.5">Amount due</td>
                    <td className="py-1.5 text-right tabular-nums">{formatUsd(invoices.data.upcoming.amountDueMicros)}</td>
                  </tr>
                </tbody>
              </table>
            </section>
          ) : null}
          {!invoices.data?.invoices.length ? (
            <p className="mt-3 text-sm text-zinc-500">No invoices yet. They appear here after your first billing period.</p>
          ) : (
            <table className="mt-3 w-full text-sm">
              <thead>
                <tr className="text-left text-xs text-zinc-500">
                  <th scope="col" className="py-2 font-medium">Date</th>
                  <th scope="col" className="py-2 font-medium">Number</th>
                  <th scope="col" className="py-2 font-medium">Status</th>
                  <th scope="col" className="py-2 text-right font-medium">Amount</th>
                </tr>
              </thead>
              <tbody>
                {invoices.data.invoices.map((i) => (
                  <tr key={i.id} className="border-t border-zinc-100">
                    <td className="py-2">{dateText(i.created)}</td>
                    <td className="py-2">{i.url ? <a className="text-emerald-700 underline" href={i.url}>{i.number ?? i.id}</a> : (i.number ?? i.id)}</td>
                    <td className="py-2">{i.status}</td>
                    <td className="py-2 text-right tabular-nums">{formatUsd(i.amountDueMicros)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      ) : null}
    </div>
  );
}
