import Link from "next/link";
import { redirect } from "next/navigation";
import { ConsentNote, MagicLinkForm, SignInForm } from "@/components/auth/forms";
import { OAuthButtons } from "@/components/auth/oauth-buttons";
import { PasskeyButton } from "@/components/auth/passkey-button";
import { Alert } from "@/components/ui/alert";
import { oauthProvidersConfigured } from "@/server/auth/config";
import { authErrorPageMessage } from "@/server/auth/messages";
import { getPendingSecondFactor, getSessionUser } from "@/server/auth/session";
import { safeNext } from "@/server/auth/validation";

export const metadata = { title: "Sign in · Arbor" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const next = safeNext(params.next ?? params.callbackUrl);
  if (await getSessionUser()) redirect(next);
  if (await getPendingSecondFactor()) redirect(`/sign-in/second-factor?next=${encodeURIComponent(next)}`);
  const oauth = oauthProvidersConfigured();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Sign in</h1>
        <p className="mt-1 text-sm text-zinc-600">Welcome back to your branching workspace.</p>
      </div>
      {params.error ? <Alert tone="error">{authErrorPageMessage(params.error)}</Alert> : null}
      {params.reset ? <Alert tone="success">Your password was changed. Sign in with the new one.</Alert> : null}
      {params.signedOut ? <Alert tone="info">You are signed out.</Alert> : null}
      <SignInForm next={next} />
      <PasskeyButton mode="sign-in" next={next} />
      <OAuthButtons github={oauth.github} google={oauth.google} next={next} />
      <div className="relative text-center text-xs uppercase tracking-wide text-zinc-400">
        <span className="bg-white px-2">or</span>
      </div>
      <MagicLinkForm next={next} />
      {/* A first GitHub, Google or sign-in-link visit creates the account (its consent is recorded then): say so here too. */}
      <ConsentNote lead="A first sign-in with GitHub, Google or a sign-in link creates your account; doing so accepts the" />
      <p className="text-center text-sm text-zinc-600">
        New to Arbor?{" "}
        <Link href={`/sign-up?next=${encodeURIComponent(next)}`} className="font-medium text-emerald-800 hover:underline">
          Create an account
        </Link>
      </p>
    </div>
  );
}
