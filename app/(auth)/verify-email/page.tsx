import Link from "next/link";
import { getDb } from "@/db/client";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { verifyEmail } from "@/server/auth/accounts";
import { isAppError } from "@/server/errors";

export const metadata = { title: "Verify your email · Arbor" };
export const dynamic = "force-dynamic";

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  let outcome: { ok: true; email: string } | { ok: false; message: string };
  if (!token) outcome = { ok: false, message: "This page needs the link from your verification mail." };
  else {
    try {
      const user = await verifyEmail(await getDb(), { token });
      outcome = { ok: true, email: user.email };
    } catch (error) {
      if (!isAppError(error)) throw error;
      outcome = { ok: false, message: error.message };
    }
  }
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">{outcome.ok ? "Email verified" : "We could not verify your email"}</h1>
      {outcome.ok ? (
        <Alert tone="success">Thanks — {outcome.email} is confirmed.</Alert>
      ) : (
        <Alert tone="error">{outcome.message}</Alert>
      )}
      <Link href="/dashboard" className={buttonClass("primary", "w-full")}>
        Go to your projects
      </Link>
    </div>
  );
}
