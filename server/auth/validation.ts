import "server-only";
import { z } from "zod";
import { MIN_PASSWORD_LENGTH } from "./password";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address, like ada@example.com" }));

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200, "Use at most 200 characters");

export const signUpSchema = z.object({
  name: z.string().trim().max(80, "Keep your name under 80 characters").optional(),
  email: emailSchema,
  password: passwordSchema,
});

/** Only same-site relative paths are followed after sign-in (no open redirects). */
export function safeNext(next: unknown, fallback = "/dashboard"): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}
