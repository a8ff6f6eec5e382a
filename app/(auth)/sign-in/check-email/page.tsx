import Link from "next/link";
import { devMailboxEnabled } from "@/server/dev/mailbox";

export const metadata = { title: "Check your email · Arbor" };

export default async function CheckEmailPage({ searchParams }: { searchParams: Promise<{ email?: string }> }) {
  const { email } = await searchParams;
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Check your email</h1>
      <p className="text-sm text-zinc-600">
        We sent a sign-in link to <strong>{email ?? "your address"}</strong>. It works once and expires in 15 minutes.
      </p>
      {devMailboxEnabled() ? (
        <p className="text-sm text-zinc-600">
          No mail server is configured, so the mail is in the{" "}
          <Link href="/dev/mailbox" className="font-medium text-emerald-800 hover:underline">
            dev mailbox
          </Link>
          .
        </p>
      ) : null}
      <Link href="/sign-in" className="text-sm text-emerald-800 hover:underline">
        Back to sign in
      </Link>
    </div>
  );
}
