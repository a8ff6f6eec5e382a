import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A URL-safe token of 256 random bits (invites, handovers, resets need at least 128). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Tokens are stored only as their SHA-256; the database never holds a usable token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The short, non-secret hint shown next to a stored token ("…x7Kq"). */
export function tokenHint(token: string): string {
  return `…${token.slice(-4)}`;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
