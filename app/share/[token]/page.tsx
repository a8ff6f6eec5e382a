import type { Metadata } from "next";
import Link from "next/link";
import { TRPCError } from "@trpc/server";
import { TokenPageShell } from "@/components/collab/token-page-shell";
import { TRPCReactProvider } from "@/components/providers/trpc";
import { SharedChat } from "@/components/share/shared-chat";
import { ArborMark } from "@/components/ui/arbor-mark";
import { getCurrentUser } from "@/server/auth/session";
import { getServerCaller } from "@/server/trpc/server-caller";

// The token is in the URL: never send it onwards in a Referer header, and never let a search engine keep it.
export const metadata: Metadata = { title: "Shared chat · Arbor", referrer: "no-referrer", robots: { index: false, follow: false } };

/** /share/<token>: read-only, no sign-in needed; the token is the only permission (server/share/links.ts). */
export default async function SharePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const api = await getServerCaller();
  try {
    await api.share.view({ token });
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return (
      <TokenPageShell title="This share link does not work">
        <p className="text-sm text-zinc-700">{error.message}</p>
        <Link href="/" className="text-sm font-medium text-emerald-800 hover:underline">
          Go to Arbor
        </Link>
      </TokenPageShell>
    );
  }
  const user = await getCurrentUser();
  const projects = user ? (await api.projects.list()).filter((p) => p.role === "owner" || p.role === "editor") : [];
  return (
    <TRPCReactProvider>
      <main className="mx-auto max-w-3xl px-4 py-8">
        <Link href="/" className="mb-6 flex items-center gap-2 text-sm font-semibold text-zinc-900">
          <ArborMark /> Arbor
        </Link>
        <SharedChat token={token} signedIn={Boolean(user)} projects={projects.map((p) => ({ id: p.id, title: p.title }))} />
      </main>
    </TRPCReactProvider>
  );
}
