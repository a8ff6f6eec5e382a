import type { Metadata } from "next";
import Link from "next/link";
import { TRPCError } from "@trpc/server";
import { AcceptButton } from "@/components/collab/accept-button";
import { formatUsd } from "@/lib/money";
import { AuthLinks, TokenPageShell } from "@/components/collab/token-page-shell";
import { getCurrentUser } from "@/server/auth/session";
import { getServerCaller } from "@/server/trpc/server-caller";

// The token is in the URL: never send it onwards in a Referer header.
export const metadata: Metadata = { title: "Invitation · Arbor", referrer: "no-referrer", robots: { index: false } };

const STATUS_TEXT = {
  expired: "This invite has expired.",
  revoked: "This invite was revoked by the owner.",
  used_up: "This invite has been used the maximum number of times.",
} as const;

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const api = await getServerCaller();
  const user = await getCurrentUser();
  let preview: Awaited<ReturnType<typeof api.collab.invitePreview>>;
  try {
    preview = await api.collab.invitePreview({ token });
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return (
      <TokenPageShell title="This invite link does not work">
        <p className="text-sm text-zinc-700">{error.message}</p>
        <Link href="/" className="text-sm font-medium text-emerald-800 hover:underline">
          Go to Arbor
        </Link>
      </TokenPageShell>
    );
  }
  const next = `/invite/${token}`;
  return (
    <TokenPageShell title={`Join “${preview.projectTitle}”`}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-zinc-500">Project</dt>
        <dd className="font-medium text-zinc-900">{preview.projectTitle}</dd>
        <dt className="text-zinc-500">Role</dt>
        <dd className="text-zinc-900">
          <span data-testid="invite-role">{preview.role}</span> — you can {preview.roleCan}
        </dd>
        <dt className="text-zinc-500">Host</dt>
        <dd className="text-zinc-900">
          {preview.hostName} {preview.hostName !== preview.hostEmail ? <span className="text-zinc-500">({preview.hostEmail})</span> : null}
        </dd>
        <dt className="text-zinc-500">Spending quota</dt>
        <dd className="text-zinc-900">{formatUsd(preview.quotaMicros)} of cloud use, paid by the host</dd>
        {preview.restrictedTo ? (
          <>
            <dt className="text-zinc-500">Only for</dt>
            <dd className="text-zinc-900">{preview.restrictedTo}</dd>
          </>
        ) : null}
      </dl>
      {preview.memberProjectId ? (
        <div className="space-y-2">
          <p className="text-sm text-zinc-700">You are already a member of this project.</p>
          <Link href={`/projects/${preview.memberProjectId}`} className="text-sm font-medium text-emerald-800 hover:underline">
            Open the project
          </Link>
        </div>
      ) : preview.status !== "open" ? (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {STATUS_TEXT[preview.status]} Ask {preview.hostEmail} for a new link.
        </p>
      ) : user ? (
        <div className="space-y-2">
          <p className="text-sm text-zinc-600">Signed in as {user.email}.</p>
          <AcceptButton kind="invite" token={token} />
        </div>
      ) : (
        <AuthLinks next={next} hint="Sign up or sign in to accept — you will come straight back here." />
      )}
    </TokenPageShell>
  );
}
