import { formatDate } from "@/lib/datetime";
import { getDisplay } from "@/server/account/display";
import type { Metadata } from "next";
import Link from "next/link";
import { TRPCError } from "@trpc/server";
import { signOutAction } from "@/app/(auth)/actions";
import { formatBytes } from "@/lib/bytes";
import { formatUsd } from "@/lib/money";
import { HandoverAcceptForm } from "@/components/collab/handover-accept-form";
import { AuthLinks, TokenPageShell } from "@/components/collab/token-page-shell";
import { getServerCaller } from "@/server/trpc/server-caller";

// The token is in the URL: never send it onwards in a Referer header.
export const metadata: Metadata = { title: "Project handover · Arbor", referrer: "no-referrer", robots: { index: false } };

const CLOSED = {
  cancelled: "The owner cancelled this handover. Nothing was changed.",
  declined: "This handover was declined. The project stays with its owner.",
  expired: "This handover link has expired. Ask the owner to start a new one.",
  accepted: "This handover has already been accepted.",
  completed: "This handover has already been accepted.",
} as const;

export default async function HandoverPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const api = await getServerCaller();
  let view: Awaited<ReturnType<typeof api.collab.handoverPreview>>;
  try {
    view = await api.collab.handoverPreview({ token });
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return (
      <TokenPageShell title="This handover link does not work">
        <p className="text-sm text-zinc-700">{error.message}</p>
        <Link href="/" className="text-sm font-medium text-emerald-800 hover:underline">
          Go to Arbor
        </Link>
      </TokenPageShell>
    );
  }
  const next = `/handover/${token}`;

  if (view.state !== "email_sent" && view.state !== "pending") {
    return (
      <TokenPageShell title="This handover is closed">
        <p role="alert" className="text-sm text-zinc-700">
          {CLOSED[view.state]}
        </p>
        {view.details && (view.state === "completed" || view.state === "accepted") ? (
          <Link href={`/projects/${view.details.projectId}`} className="text-sm font-medium text-emerald-800 hover:underline">
            Open the project
          </Link>
        ) : null}
      </TokenPageShell>
    );
  }

  if (view.viewer === "anonymous") {
    return (
      <TokenPageShell title={`${view.fromName} wants to hand over a project to you`}>
        <AuthLinks next={next} hint={`Sign in (or sign up) with the address this was sent to, ${view.toEmailMasked}, to see the project and accept it.`} />
      </TokenPageShell>
    );
  }
  if (view.viewer === "wrong_email") {
    return (
      <TokenPageShell title="This handover is for someone else">
        <p role="alert" className="text-sm text-zinc-700">
          It was sent to {view.toEmailMasked}, but you are signed in as {view.signedInAs}. Sign out, then sign in with the address the mail was
          sent to.
        </p>
        <form action={signOutAction}>
          <button type="submit" className="rounded-md border border-zinc-300 px-3.5 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-100">
            Sign out
          </button>
        </form>
      </TokenPageShell>
    );
  }
  if (view.viewer === "unverified" || !view.details) {
    return (
      <TokenPageShell title="Verify your email first">
        <p className="text-sm text-zinc-700">
          Open the verification mail we sent to {view.signedInAs}, then come back to this link to accept the project.
        </p>
      </TokenPageShell>
    );
  }

  const d = view.details;
  return (
    <TokenPageShell title={`Take over “${d.projectTitle}”`}>
      <p className="text-sm text-zinc-700">
        {view.fromName}
        {d.fromEmail && d.fromEmail !== view.fromName ? ` (${d.fromEmail})` : ""} would like you to become the owner of this project.
      </p>
      {d.message ? <blockquote className="border-l-4 border-emerald-600 bg-zinc-50 px-3 py-2 text-sm text-zinc-800">{d.message}</blockquote> : null}
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-zinc-500">Chats</dt>
        <dd>{d.snapshot.chats}</dd>
        <dt className="text-zinc-500">Messages</dt>
        <dd>{d.snapshot.messages}</dd>
        <dt className="text-zinc-500">Knowledge sources</dt>
        <dd>{d.includeKnowledge ? d.snapshot.sources : `not included (${d.snapshot.sources} stay with ${view.fromName})`}</dd>
        <dt className="text-zinc-500">Size</dt>
        <dd>{formatBytes(d.snapshot.sizeBytes)}</dd>
        <dt className="text-zinc-500">Adapters</dt>
        <dd data-testid="handover-adapters">
          {d.snapshot.adapterList
            ? d.snapshot.adapterList.length === 0
              ? "none"
              : `${d.includeAdapters ? "included" : `not included (they stay with ${view.fromName})`}: ${d.snapshot.adapterList.map((a) => `${a.name} (${formatBytes(a.sizeBytes)}, ${a.baseModel})`).join("; ")}`
            : `${d.includeAdapters ? "included" : "not included"} — ${d.snapshot.adapters ?? "none"}`}
        </dd>
        <dt className="text-zinc-500">Previous owner</dt>
        <dd>{d.previousOwnerLeaves ? "leaves the project" : "stays as an editor"}</dd>
      </dl>
      <div className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
        As the owner you pay for the project's cloud use. Your first year of the managed plan costs{" "}
        <strong>{formatUsd(d.firstYearPriceMicros)}</strong> instead of {formatUsd(d.regularPriceMicros)}; the price applies at checkout.
      </div>
      <HandoverAcceptForm token={token} openInvites={d.openInvites} memberQuotas={d.memberQuotas} />
      <p className="text-xs text-zinc-500">This link works until {formatDate(view.expiresAt, (await getDisplay()).zone)}.</p>
    </TokenPageShell>
  );
}
