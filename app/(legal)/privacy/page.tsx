import Link from "next/link";
import { LEGAL_VERSIONS } from "@/lib/legal";

export const metadata = { title: "Privacy notice · Arbor" };

export default function PrivacyPage() {
  return (
    <>
      <h1 className="text-2xl font-semibold">Privacy notice</h1>
      <p className="text-zinc-600">Version {LEGAL_VERSIONS.privacy}.</p>
      <h2 className="pt-2 text-base font-semibold">What we keep</h2>
      <p>
        Your name, email address and password hash; your projects, chats, knowledge sources, canvas and comments; usage and billing records; a security log of sign-ins and account
        changes; and which version of these texts you accepted, and when.
      </p>
      <h2 className="pt-2 text-base font-semibold">Why</h2>
      <p>To run Arbor for you, to bill the owner of a project for its use, to keep accounts safe, and because the law requires some money records to be kept.</p>
      <h2 className="pt-2 text-base font-semibold">Mail</h2>
      <p>Security mails (sign-ins, password and email changes) always go. Budget alerts, activity, invites and handovers go only as you choose, and each has a one-click unsubscribe link.</p>
      <h2 className="pt-2 text-base font-semibold">Your rights</h2>
      <p>
        From your account page you can download everything you own as one file, and delete your account. Deletion waits 14 days — signing in during that time cancels it — then
        removes your data. Invoices and payment records the law requires us to keep are kept without your name or address.
      </p>
      <p>
        See also the{" "}
        <Link href="/terms" className="font-medium text-emerald-800 underline">
          Terms of use
        </Link>
        .
      </p>
    </>
  );
}
