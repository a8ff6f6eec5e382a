import { BillingDashboard } from "@/components/billing/billing-dashboard";

export const metadata = { title: "Billing · Arbor" };

export default async function BillingPage({ searchParams }: { searchParams: Promise<{ checkout?: string | string[] }> }) {
  const { checkout } = await searchParams;
  return (
    <main className="mx-auto max-w-7xl space-y-6 px-4 py-6">
      <div>
        <h1 className="text-xl font-semibold text-zinc-900">Billing</h1>
        <p className="text-sm text-zinc-600">Your plan, balance and cloud usage across all the projects you own.</p>
      </div>
      <BillingDashboard checkout={typeof checkout === "string" ? checkout : null} />
    </main>
  );
}
