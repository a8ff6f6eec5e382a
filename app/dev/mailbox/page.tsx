import { formatDate } from "@/lib/datetime";
import { getDisplay } from "@/server/account/display";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { devMailboxAnswers, listMailbox } from "@/server/dev/mailbox";

export const dynamic = "force-dynamic";
export const metadata = { title: "Dev mailbox · Arbor" };

/** Every mail Arbor would have sent, newest first (development without SMTP_URL, from this machine only). */
export default async function DevMailboxPage() {
  if (!devMailboxAnswers(await headers())) notFound();
  const mails = await listMailbox(await getDb());
  const { zone } = await getDisplay();
  return (
    <main className="mx-auto max-w-3xl space-y-4 px-4 py-8">
      <div>
        <h1 className="text-2xl font-semibold">Dev mailbox</h1>
        <p className="mt-1 text-sm text-zinc-600">
          No SMTP server is configured (<code>SMTP_URL</code>), so mail stays here. In development, links are also printed in the server log.
        </p>
      </div>
      {mails.length === 0 ? <p className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 text-sm text-zinc-600">No mail yet. Sign up or request a sign-in link and it will appear here.</p> : null}
      <ul className="space-y-3">
        {mails.map((mail) => (
          <li key={mail.id}>
            <article aria-label={`Mail to ${mail.to}: ${mail.subject}`} className="rounded-lg border border-zinc-200 bg-white p-4 shadow-sm">
              <header className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 className="font-medium">{mail.subject}</h2>
                <time className="text-xs text-zinc-500" dateTime={mail.createdAt.toISOString()}>
                  {formatDate(mail.createdAt, zone)}
                </time>
              </header>
              <p className="text-sm text-zinc-600">To: {mail.to}</p>
              <pre className="mt-2 whitespace-pre-wrap break-words font-sans text-sm text-zinc-800">{mail.text}</pre>
              {mail.links.length ? (
                <ul className="mt-2 space-y-1">
                  {mail.links.map((link) => (
                    <li key={link}>
                      <a href={link} className="break-all text-sm font-medium text-emerald-800 hover:underline">
                        {link}
                      </a>
                    </li>
                  ))}
                </ul>
              ) : null}
            </article>
          </li>
        ))}
      </ul>
    </main>
  );
}
