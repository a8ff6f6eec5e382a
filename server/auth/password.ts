import bcrypt from "bcryptjs";

export const MIN_PASSWORD_LENGTH = 10;

/** bcrypt cost 11 (~150 ms here): slow enough to hurt guessing, fast enough for a sign-in page. Tests may lower it. */
const COST = Number(process.env.BCRYPT_COST ?? 11);

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
