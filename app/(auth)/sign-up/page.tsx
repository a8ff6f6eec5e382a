import Link from "next/link";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/forms";
import { getSessionUser } from "@/server/auth/session";
import { safeNext } from "@/server/auth/validation";

export const metadata = { title: "Sign up · Arbor" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNext((await searchParams).next);
  if (await getSessionUser()) redirect(next);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Create your account</h1>
        <p className="mt-1 text-sm text-zinc-600">Think with AI in conversations that branch like a tree.</p>
      </div>
      <SignUpForm next={next} />
      <p className="text-center text-sm text-zinc-600">
        Already have an account?{" "}
        <Link href={`/sign-in?next=${encodeURIComponent(next)}`} className="font-medium text-emerald-800 hover:underline">
          Sign in
        </Link>
      </p>
    </div>
  );
}
