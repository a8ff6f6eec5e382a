import Link from "next/link";
import { getDb } from "@/db/client";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { confirmEmailChange } from "@/server/auth/email-change";
import { isAppError } from "@/server/errors";
import { kickMailSender } from "@/server/mail/sender";

export const metadata = { title: "Confirm your new address · Arbor" };
export const dynamic = "force-dynamic";

/** The link mailed to a new address: opening it moves the account there (server/auth/email-change.ts). */
export default async function ConfirmEmailPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  let outcome: { ok: true; email: string } | { ok: false; message: string };
  if (!token) outcome = { ok: false, message: "This page needs the link from your confirmation mail." };
  else {
    try {
      outcome = { ok: true, ...(await confirmEmailChange(await getDb(), { token })) };
      kickMailSender();
    } catch (error) {
      if (!isAppError(error)) throw error;
      outcome = { ok: false, message: error.message };
    }
  }
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">{outcome.ok ? "Address changed" : "We could not change your address"}</h1>
      {outcome.ok ? <Alert tone="success">Your Arbor account's address is now {outcome.email}.</Alert> : <Alert tone="error">{outcome.message}</Alert>}
      <Link href="/account" className={buttonClass("primary", "w-full")}>
        Go to your account
      </Link>
    </div>
  );
}
