import { redirect } from "next/navigation";
import { SecondFactorForm } from "@/components/auth/second-factor-form";
import { getDb } from "@/db/client";
import { hasSecondFactor } from "@/server/auth/open-session";
import { getCurrentUser, getPendingSecondFactor } from "@/server/auth/session";
import { safeNext } from "@/server/auth/validation";

export const metadata = { title: "Two-factor check · Arbor" };
export const dynamic = "force-dynamic";

/** The second step of a sign-in for accounts with an authenticator app or a passkey. */
export default async function SecondFactorPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const next = safeNext(params.next);
  if (await getCurrentUser()) redirect(next);
  const pending = await getPendingSecondFactor();
  if (!pending) redirect(`/sign-in?next=${encodeURIComponent(next)}`);
  const factors = await hasSecondFactor(await getDb(), { userId: pending.user.id });
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Two-factor check</h1>
        <p className="mt-1 text-sm text-zinc-600">
          One more step for {pending.user.email}: {factors.totp ? "enter the code from your authenticator app" : "confirm with one of your passkeys"}
          {factors.totp && factors.passkey ? ", or use a passkey" : ""}.
        </p>
      </div>
      <SecondFactorForm next={next} totp={factors.totp} passkey={factors.passkey} />
    </div>
  );
}
