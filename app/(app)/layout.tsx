import Link from "next/link";
import { redirect } from "next/navigation";
import { headers } from "next/headers";
import { signOutAction } from "@/app/(auth)/actions";
import { SessionWatch } from "@/components/auth/session-watch";
import { VerifyEmailBanner } from "@/components/auth/verify-email-banner";
import { NotificationBell } from "@/components/notify/bell";
import { CommandPalette } from "@/components/search/command-palette";
import { TRPCReactProvider } from "@/components/providers/trpc";
import { getCurrentUser, getPendingSecondFactor } from "@/server/auth/session";
import { getDb } from "@/db/client";
import { deletionRecentlyCancelled } from "@/server/account/deletion";
import { ArborMark } from "@/components/ui/arbor-mark";
import { isOperator } from "@/server/ops/operators";

/** Everything under (app) is for signed-in people; the check is here and again in every procedure. */
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser();
  if (!user) {
    const path = (await headers()).get("x-arbor-path") ?? "/dashboard";
    // Password or link right, second factor still to come: that step, then on to where they were going.
    if (await getPendingSecondFactor()) redirect(`/sign-in/second-factor?next=${encodeURIComponent(path)}`);
    redirect(`/sign-in?next=${encodeURIComponent(path)}`);
  }
  const deletionCancelled = await deletionRecentlyCancelled(await getDb(), { userId: user.id });
  return (
    <TRPCReactProvider>
      <SessionWatch />
      <div className="flex min-h-screen flex-col">
        <header className="border-b border-zinc-200 bg-white">
          <div className="mx-auto flex h-14 max-w-7xl items-center justify-between px-4">
            <nav aria-label="Main" className="flex items-center gap-6">
              <Link href="/dashboard" className="flex items-center gap-2 font-semibold text-zinc-900">
                <ArborMark /> Arbor
              </Link>
              <Link href="/dashboard" className="text-sm text-zinc-600 hover:text-zinc-900">
                Projects
              </Link>
              <Link href="/devices" className="text-sm text-zinc-600 hover:text-zinc-900">
                Devices
              </Link>
              <Link href="/billing" className="text-sm text-zinc-600 hover:text-zinc-900">
                Billing
              </Link>
              {isOperator(user.email) ? (
                <Link href="/admin/model-prices" className="text-sm text-zinc-600 hover:text-zinc-900">
                  Model prices
                </Link>
              ) : null}
            </nav>
            <div className="flex items-center gap-3 text-sm">
              <CommandPalette />
              <NotificationBell />
              <Link href="/account" className="text-zinc-600 hover:text-zinc-900" title="Account">
                {user.name || user.email}
              </Link>
              <form action={signOutAction}>
                <button type="submit" className="rounded-md px-2 py-1 text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900">
                  Sign out
                </button>
              </form>
            </div>
          </div>
        </header>
        {user.emailVerified ? null : <VerifyEmailBanner email={user.email} />}
        {deletionCancelled ? (
          <div role="status" className="border-b border-emerald-200 bg-emerald-50 px-4 py-2 text-center text-sm text-emerald-900">
            You signed in, so your account deletion was cancelled. Your account and projects stay.{" "}
            <Link href="/account#delete" className="font-medium underline">
              Account
            </Link>
          </div>
        ) : null}
        <div className="flex-1">{children}</div>
      </div>
    </TRPCReactProvider>
  );
}
