import Link from "next/link";
import { ArborMark } from "@/components/ui/arbor-mark";

/** The frame of /invite/<token> and /handover/<token>: reachable signed out, so outside the app shell. */
export function TokenPageShell({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center bg-zinc-50 px-4 py-12">
      <Link href="/" className="mb-8 flex items-center gap-2 text-lg font-semibold text-zinc-900">
        <ArborMark /> Arbor
      </Link>
      <div className="w-full max-w-md space-y-4 rounded-xl border border-zinc-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold text-zinc-900">{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function AuthLinks({ next, hint }: { next: string; hint: string }) {
  const encoded = encodeURIComponent(next);
  return (
    <div className="space-y-3">
      <p className="text-sm text-zinc-600">{hint}</p>
      <div className="flex gap-3">
        <Link href={`/sign-up?next=${encoded}`} className="rounded-md bg-emerald-700 px-3.5 py-2 text-sm font-medium text-white hover:bg-emerald-800">
          Sign up
        </Link>
        <Link href={`/sign-in?next=${encoded}`} className="rounded-md border border-zinc-300 px-3.5 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-100">
          Sign in
        </Link>
      </div>
    </div>
  );
}
