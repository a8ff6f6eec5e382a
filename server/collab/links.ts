import "server-only";
import { getEnv } from "@/server/env";

/** Absolute links for mails: the app's public address (APP_URL), never the request's Host header. */
export function appLink(path: string): string {
  return `${getEnv().APP_URL.replace(/\/$/, "")}${path}`;
}

/** "jane@example.com" → "j***@example.com": enough to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}***@${domain}`;
}

/** Invite and handover tokens are 256 bits of base64url: 43 characters. Anything else is tampered or truncated. */
export function looksLikeToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

export function displayName(user: { name: string | null; email: string }): string {
  return user.name?.trim() || user.email;
}
