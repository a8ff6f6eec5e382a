import "server-only";
import { randomBytes } from "node:crypto";
import { hashToken } from "@/server/security/secret-tokens";

/**
 * Arbor's bearer secrets: `arbor_pat_` (a person's access token) or
 * `arbor_dev_` (a paired device's token), then 40 base62 characters (~238
 * random bits). Base62 keeps a token one word for double-click selection; the
 * fixed prefix lets a person — and a secret scanner — recognise a leaked one.
 */
export const TOKEN_PREFIXES = { personal: "arbor_pat_", device: "arbor_dev_" } as const;
export type TokenKind = keyof typeof TOKEN_PREFIXES;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_LENGTH = 40;
/** How much of the secret a list shows after the prefix: enough to tell tokens apart, far too little to guess. */
const SHOWN = 6;
const SHAPE = /^arbor_(pat|dev)_[0-9A-Za-z]{40}$/;

export type NewToken = { token: string; hash: string; prefix: string };

/** Uniform over the alphabet: bytes ≥ 248 (= 4 × 62) are rejected rather than folded, which would bias the low letters. */
function base62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= 248) continue;
      out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function newBearerToken(kind: TokenKind): NewToken {
  const token = `${TOKEN_PREFIXES[kind]}${base62(SECRET_LENGTH)}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIXES[kind].length + SHOWN) };
}

/** The kind of a well-formed token, or null: anything else is refused before it costs a database lookup. */
export function bearerKind(token: string): TokenKind | null {
  const match = SHAPE.exec(token);
  if (!match) return null;
  return match[1] === "pat" ? "personal" : "device";
}

/** The token of an `Authorization: Bearer …` header; null when there is no such header. */
export function bearerFrom(headers: Headers): string | null {
  const header = headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? "";
}
