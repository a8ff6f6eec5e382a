import "server-only";
/** Plain words for each way a sign-in can be refused (the codes of CredentialsResult). */
export function signInErrorMessage(code: string): string {
  switch (code) {
    case "disabled":
      return "This account has been disabled. Contact support if you think this is a mistake.";
    case "locked":
      // Said for any address after too many failures, with or without an account behind it.
      return "Too many failed attempts: password sign-in for this email is locked for 15 minutes. Sign in with an email link instead, or reset your password.";
    case "passkey":
      return "This passkey could not be verified for Arbor. Try again, or sign in with your email and password.";
    case "rate_limited":
      return "Too many sign-in attempts from your network. Wait a few minutes and try again.";
    default:
      return "That email and password don't match. Check them and try again, or reset your password.";
  }
}

/** Auth.js redirects to /sign-in?error=<type> (e.g. a used or expired magic link). */
export function authErrorPageMessage(type: string): string {
  switch (type) {
    case "Verification":
      return "This sign-in link has expired or was already used. Request a new one below.";
    case "OAuthAccountNotLinked":
      // Auth.js never links an OAuth login to an existing account by email (that would let a provider
      // vouch for an address it may not have verified); a sign-in link proves the mailbox instead.
      return "This email is already used by another sign-in method. Sign in the way you did before, or ask for a sign-in link by email below.";
    case "SecondFactorExpired":
      return "That sign-in waited too long for its code. Sign in again.";
    case "AccessDenied":
      return "Access was denied.";
    default:
      return "We could not sign you in. Please try again.";
  }
}
