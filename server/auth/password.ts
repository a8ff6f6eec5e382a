import "server-only";
import { randomBytes } from "node:crypto";
import { hash as argon2Hash, parseOptions, verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { getEnv } from "@/server/env";

export const MIN_PASSWORD_LENGTH = 10;
/**
 * Counted in UTF-8 bytes, not characters: that is what the hash consumes, and
 * it bounds the work an attacker can make one sign-in cost. (bcrypt silently
 * ignored everything past 72 bytes; argon2id reads all of them.)
 */
export const MAX_PASSWORD_BYTES = 256;

export function passwordBytes(password: string): number {
  return Buffer.byteLength(password, "utf8");
}

/**
 * argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane;
 * about 25 ms here). The "test" cost keeps suites quick and is refused
 * nowhere, so never set it in a deployment.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 */
function policy() {
  return getEnv().ARGON2_COST === "test" ? { memoryCost: 1024, timeCost: 1, parallelism: 1 } : { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
}

/** Runs on libuv's thread pool (the native binding's async API), never on the event loop. */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, policy());
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (passwordBytes(password) > MAX_PASSWORD_BYTES) return false;
  // Accounts from before argon2id still hold bcrypt hashes until their next sign-in rehashes them.
  if (isBcrypt(stored)) return bcrypt.compare(password, stored);
  try {
    return await argon2Verify(stored, password);
  } catch (error) {
    console.error("[auth] a stored password hash could not be read", error);
    return false;
  }
}

/** After a successful check: is the stored hash older than today's policy (bcrypt, or weaker argon2 settings)? */
export function needsRehash(stored: string): boolean {
  if (isBcrypt(stored) || !stored.startsWith("$argon2id$")) return true;
  const want = policy();
  try {
    const has = parseOptions(stored);
    return has.memoryCost !== want.memoryCost || has.timeCost !== want.timeCost || has.parallelism !== want.parallelism;
  } catch {
    return true;
  }
}

function isBcrypt(stored: string): boolean {
  return /^\$2[abxy]\$/.test(stored);
}

type Holder = typeof globalThis & { __arborDecoyHash?: Promise<string> };

/**
 * A hash of nothing anyone knows, checked when the address has no password,
 * so an unknown address costs the same time as a wrong password. Always false.
 */
export async function burnPasswordCheck(password: string): Promise<false> {
  const holder = globalThis as Holder;
  holder.__arborDecoyHash ??= hashPassword(`decoy ${randomBytes(16).toString("hex")}`);
  await verifyPassword(password, await holder.__arborDecoyHash);
  return false;
}
