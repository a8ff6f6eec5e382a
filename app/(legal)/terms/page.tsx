import Link from "next/link";
import { LEGAL_VERSIONS } from "@/lib/legal";

export const metadata = { title: "Terms · Arbor" };

export default function TermsPage() {
  return (
    <>
      <h1 className="text-2xl font-semibold">Terms of use</h1>
      <p className="text-zinc-600">Version {LEGAL_VERSIONS.terms}. Signing up means accepting this version; when it changes in substance, we ask again.</p>
      <h2 className="pt-2 text-base font-semibold">Your account</h2>
      <p>You keep your password and second factors to yourself, and you are responsible for what is done with your account and its access tokens.</p>
      <h2 className="pt-2 text-base font-semibold">Your content</h2>
      <p>
        What you write, upload or have answered in Arbor stays yours. We process it only to run the service for you and the members you invite. You can export all of it at any time
        from your account page, and delete your account there.
      </p>
      <h2 className="pt-2 text-base font-semibold">Money</h2>
      <p>The owner of a project pays for its cloud answers, within the budgets set for its members. Prices are shown before you pay; invoices are kept as the law requires.</p>
      <h2 className="pt-2 text-base font-semibold">Fair use</h2>
      <p>Do not use Arbor to break the law, to attack other systems, or to get around the limits that keep the service working for everyone.</p>
      <p>
        How we handle personal data: the{" "}
        <Link href="/privacy" className="font-medium text-emerald-800 underline">
          Privacy notice
        </Link>
        .
      </p>
    </>
  );
}
