import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { getSessionUser } from "@/server/auth/session";
import { ArborMark } from "@/components/ui/arbor-mark";

export default async function Home() {
  if (await getSessionUser()) redirect("/dashboard");
  return (
    <main className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center px-6 py-16">
      <p className="flex items-center gap-1.5 text-sm font-medium text-emerald-700">
        <ArborMark className="h-4 w-4" /> Arbor
      </p>
      <h1 className="mt-3 text-4xl font-semibold tracking-tight text-zinc-900">Think with AI in conversations that branch like a tree.</h1>
      <p className="mt-4 text-lg text-zinc-600">
        Fork from any message, keep every alternative, ground answers in your own knowledge vault, and escalate to Claude only when it
        matters — metered to the micro-dollar.
      </p>
      <div className="mt-8 flex gap-3">
        <Link href="/sign-up" className={buttonClass("primary")}>
          Sign up
        </Link>
        <Link href="/sign-in" className={buttonClass("secondary")}>
          Sign in
        </Link>
      </div>
    </main>
  );
}
