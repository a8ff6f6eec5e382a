import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { TestCheckoutForm } from "@/components/billing/test-checkout-form";
import { getDb } from "@/db/client";
import { getSessionUser } from "@/server/auth/session";
import { formatUsd } from "@/lib/money";
import { getTestCheckout } from "@/server/billing/test-checkout";
import { checkoutMode } from "@/server/billing/checkout-mode";
import { isAppError } from "@/server/errors";

export const metadata = { title: "Test checkout · Arbor" };

/** Stands in for Stripe's hosted Checkout where the checkout mode allows it (server/billing/checkout-mode.ts). */
export default async function TestCheckoutPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  if (checkoutMode() !== "test") redirect("/billing");
  const user = await getSessionUser();
  if (!user) redirect("/sign-in");
  const checkout = await getTestCheckout(await getDb(), user.id, sessionId).catch((error: unknown) => {
    if (isAppError(error)) notFound();
    throw error;
  });
  return (
    <main className="mx-auto max-w-lg px-4 py-10">
      <div role="note" className="mb-4 rounded-md border-2 border-dashed border-amber-400 bg-amber-50 px-4 py-3 text-sm text-amber-900">
        <p className="font-semibold">Test checkout — no real payment</p>
        <p>
          Stripe is not configured on this server. <strong>Pay</strong> sends the signed event Stripe would send to this app&apos;s own webhook, so the
          whole flow runs without charging anyone.
        </p>
      </div>
      <section aria-labelledby="checkout-heading" className="rounded-lg border border-zinc-200 bg-white p-6 shadow-sm">
        <h1 id="checkout-heading" className="text-lg font-semibold text-zinc-900">
          Test checkout
        </h1>
        <ul className="mt-4 divide-y divide-zinc-100" aria-label="Line items">
          {checkout.lineItems.map((item) => (
            <li key={item.label} className="flex items-start justify-between gap-4 py-3 text-sm">
              <div>
                <p className="font-medium text-zinc-900">{item.label}</p>
                <p className="text-xs text-zinc-500">{item.detail}</p>
              </div>
              <p className="whitespace-nowrap tabular-nums text-zinc-900">
                {formatUsd(item.amountMicros)}
                {item.interval ? ` / ${item.interval}` : ""}
              </p>
            </li>
          ))}
        </ul>
        <div className="flex justify-between border-t border-zinc-200 pt-3 text-sm font-semibold">
          <span>Due today</span>
          <span className="tabular-nums">{formatUsd(checkout.totalMicros)}</span>
        </div>
        {checkout.status === "open" ? (
          <TestCheckoutForm sessionId={checkout.id} />
        ) : (
          <p className="mt-4 text-sm text-zinc-600">This checkout is already paid.</p>
        )}
        <Link href="/billing?checkout=cancelled" className="mt-3 block text-center text-sm text-zinc-600 hover:underline">
          Cancel and go back
        </Link>
      </section>
    </main>
  );
}
