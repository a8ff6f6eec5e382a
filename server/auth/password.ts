import "server-only";
import bcrypt from "bcryptjs";
import { getEnv } from "@/server/env";

export const MIN_PASSWORD_LENGTH = 10;

/** bcrypt cost 11 (~150 ms here) by default: slow enough to hurt guessing, fast enough for a sign-in page. Tests lower it. */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, getEnv().BCRYPT_COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
