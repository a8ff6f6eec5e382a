import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import type { Provider } from "next-auth/providers";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import { sql } from "drizzle-orm";
import { cookies, headers } from "next/headers";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import { arborAdapter } from "./adapter";
import { getEnv, publishAuthUrl } from "@/server/env";
import { clientAddress } from "@/server/security/client-address";
import { forgetAccountFailures } from "./abuse-limits";
import { checkCredentials, sendSignInLink } from "./accounts";
import { provenByMailbox } from "./mailbox-proof";
import { logSecurityEvent } from "./security-log";
import { BROWSER_COOKIE, openSignInSession } from "./open-session";
import { deleteServerSession, SESSION_MAX_AGE_S } from "./server-sessions";
import { emailSchema } from "./validation";
import { signInWithPasskey } from "./second-factor";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { isAppError } from "@/server/errors";

/** `code` reaches the sign-in action, which turns it into a plain message. */
class SignInRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

export function oauthProvidersConfigured() {
  const env = getEnv();
  return {
    github: Boolean(env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET),
    google: Boolean(env.AUTH_GOOGLE_ID && env.AUTH_GOOGLE_SECRET),
  };
}

/**
 * Who is signing in, for the session list and the new-browser mail. Auth.js
 * runs its callbacks inside the request (a server action or its Route
 * Handler), so Next's request APIs answer; outside one (never in the app)
 * the session simply has no details.
 */
async function requestOrigin(): Promise<{ userAgent: string | null; address: string | null; browserToken: string | null }> {
  try {
    const [h, c] = await Promise.all([headers(), cookies()]);
    return { userAgent: h.get("user-agent"), address: clientAddress(h), browserToken: c.get(BROWSER_COOKIE)?.value ?? null };
  } catch {
    return { userAgent: null, address: null, browserToken: null };
  }
}

/**
 * Auth.js, initialised lazily so nothing opens the database at build time.
 * Credentials need the JWT strategy; the JWT carries `sid`, a row in
 * `sessions` that getSessionUser() checks on every request (revocable).
 * @see https://authjs.dev/reference/nextjs#lazy-initialization
 */
export const { handlers, auth, signIn, signOut } = NextAuth(async (): Promise<NextAuthConfig> => {
  const env = getEnv();
  publishAuthUrl(env);
  const db = await getDb();
  const oauth = oauthProvidersConfigured();
  const providers: Provider[] = [
    Credentials({
      id: "credentials",
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, request) {
        const email = emailSchema.safeParse(raw?.email);
        if (!email.success || typeof raw?.password !== "string") throw new SignInRefused("invalid");
        const result = await checkCredentials(db, { email: email.data, password: raw.password, address: clientAddress(request.headers) });
        if (!result.ok) throw new SignInRefused(result.reason);
        return { id: result.user.id, email: result.user.email, name: result.user.name };
      },
    }),
    // A passkey alone: both factors in one (server/auth/second-factor.ts signInWithPasskey).
    Credentials({
      id: "passkey",
      credentials: { response: { label: "Passkey response" } },
      async authorize(raw, request) {
        let response: AuthenticationResponseJSON;
        try {
          response = JSON.parse(String(raw?.response ?? "")) as AuthenticationResponseJSON;
        } catch {
          throw new SignInRefused("passkey");
        }
        try {
          const user = await signInWithPasskey(db, { response, address: clientAddress(request.headers) });
          return { id: user.id, email: user.email, name: user.name };
        } catch (error) {
          if (isAppError(error)) throw new SignInRefused(error.code === "forbidden:account_disabled" ? "disabled" : error.kind === "rate_limited" ? "rate_limited" : "passkey");
          throw error;
        }
      },
    }),
    {
      id: "email",
      type: "email",
      name: "Email",
      from: env.MAIL_FROM,
      maxAge: 15 * 60,
      options: {},
      // Magic links go through our outbox like every other mail (retries, dev mailbox), within limits.
      async sendVerificationRequest({ identifier, url, request }) {
        await sendSignInLink(db, { email: identifier, url, address: clientAddress(request.headers) });
      },
    },
  ];
  if (oauth.github) providers.push(GitHub({ clientId: env.AUTH_GITHUB_ID, clientSecret: env.AUTH_GITHUB_SECRET }));
  if (oauth.google) providers.push(Google({ clientId: env.AUTH_GOOGLE_ID, clientSecret: env.AUTH_GOOGLE_SECRET }));

  return {
    secret: env.AUTH_SECRET,
    trustHost: true,
    adapter: arborAdapter(db),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    logger: {
      // A refused sign-in is an expected outcome (shown to the person), not a server error.
      error(error) {
        if (error.name === "CredentialsSignin" || (error as { type?: string }).type === "CredentialsSignin") return;
        console.error("[auth]", error);
      },
    },
    pages: { signIn: "/sign-in", error: "/sign-in", verifyRequest: "/sign-in/check-email" },
    providers,
    callbacks: {
      async signIn({ user, account, email }) {
        // A magic link was followed (not merely requested): that proves the mailbox.
        // OAuth never reaches an existing account here: Auth.js refuses to link by email.
        if (account?.provider === "email" && !email?.verificationRequest && user.email) {
          const [row] = await db.select().from(users).where(sql`lower(${users.email}) = ${user.email.toLowerCase()}`);
          if (row) await provenByMailbox(db, { user: row, via: "magic_link" });
          await forgetAccountFailures(db, { flow: "sign-in", email: user.email });
        }
        return true;
      },
      async jwt({ token, user, account }) {
        // First call after a successful sign-in: open the server-side session.
        if (user?.id) {
          const origin = await requestOrigin();
          // Everything but a passkey proves one factor: an account with a second one gets a waiting session.
          const method = account?.provider === "credentials" ? "password" : (account?.provider ?? "password");
          token.sid = (await openSignInSession(db, { userId: user.id, method, ...origin })).sessionToken;
          // A full sign-in (never one still owing its second factor) cancels a scheduled deletion: openSignInSession / second-factor.ts.
          token.uid = user.id;
          if (account && account.provider !== "credentials") {
            await logSecurityEvent(db, { kind: "sign_in_success", userId: user.id, email: user.email, detail: { method: account.provider } });
          }
        }
        return token;
      },
      async session({ session, token }) {
        return { ...session, sid: token.sid, uid: token.uid } as typeof session;
      },
    },
    events: {
      async signOut(message) {
        const token = "token" in message ? message.token : null;
        if (token && typeof token.sid === "string") {
          await deleteServerSession(db, { sessionToken: token.sid });
          if (typeof token.uid === "string") await logSecurityEvent(db, { kind: "sign_out", userId: token.uid });
        }
      },
    },
  };
});
