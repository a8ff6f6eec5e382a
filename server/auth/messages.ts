import "server-only";
/** Plain words for each way a sign-in can be refused. */
export function signInErrorMessage(code: string): string {
  switch (code) {
    case "disabled":
      return "This account has been disabled. Contact support if you think this is a mistake.";
    default:
      return "That email and password don't match. Check them and try again, or reset your password.";
  }
}

export function lockedMessage(untilIso: string): string {
  const until = untilIso ? new Date(untilIso) : null;
  const when = until && !Number.isNaN(until.getTime()) ? ` until ${until.toISOString().slice(11, 16)} UTC` : "";
  return `Too many failed attempts: your account is locked for 15 minutes${when}. Try again later, or reset your password.`;
}

/** Auth.js redirects to /sign-in?error=<type> (e.g. a used or expired magic link). */
export function authErrorPageMessage(type: string): string {
  switch (type) {
    case "Verification":
      return "This sign-in link has expired or was already used. Request a new one below.";
    case "OAuthAccountNotLinked":
      return "This email is already used by another sign-in method. Sign in the way you did before.";
    case "AccessDenied":
      return "Access was denied.";
    default:
      return "We could not sign you in. Please try again.";
  }
}
