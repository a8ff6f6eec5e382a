import Link from "next/link";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { MAIL_KINDS, readUnsubscribeToken, unsubscribe } from "@/server/notify/mail-choices";

export const metadata = { title: "Unsubscribe · Arbor", robots: { index: false } };

/**
 * Where an optional mail's "Unsubscribe" line leads. Works signed out: the
 * signed token says who and which kind. One button, so a link scanner that
 * opens the page changes nothing.
 */
export default async function UnsubscribePage({ searchParams }: { searchParams: Promise<{ t?: string; done?: string }> }) {
  const { t = "", done } = await searchParams;
  const read = readUnsubscribeToken(t);
  async function confirm() {
    "use server";
    await unsubscribe(await getDb(), { token: t });
    redirect(`/unsubscribe?t=${encodeURIComponent(t)}&done=1`);
  }
  return (
    <main className="mx-auto max-w-md space-y-4 px-4 py-16 text-sm">
      <h1 className="text-xl font-semibold">Mail from Arbor</h1>
      {!read ? (
        <p role="alert" className="text-red-700">
          This unsubscribe link is not valid. Choose which mails you get on your{" "}
          <Link href="/account#notifications" className="font-medium underline">
            account page
          </Link>
          .
        </p>
      ) : done ? (
        <p role="status">
          Done: Arbor sends you no more {MAIL_KINDS[read.kind].label} mails. Security mails still go. Turn them back on from your{" "}
          <Link href="/account#notifications" className="font-medium underline">
            account page
          </Link>
          .
        </p>
      ) : (
        <form action={confirm} className="space-y-4">
          <p>Stop {MAIL_KINDS[read.kind].label} mails? You will still see them in Arbor, and security mails always go.</p>
          <button type="submit" className="rounded-md bg-emerald-700 px-3.5 py-2 font-medium text-white hover:bg-emerald-800">
            Unsubscribe
          </button>
        </form>
      )}
    </main>
  );
}
