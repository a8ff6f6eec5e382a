import "server-only";
import { z } from "zod";
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH, passwordBytes } from "./password";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address, like ada@example.com" }));

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .refine((p) => passwordBytes(p) <= MAX_PASSWORD_BYTES, `Use at most ${MAX_PASSWORD_BYTES} bytes: that is ${MAX_PASSWORD_BYTES} plain letters, fewer with accents or emoji`);

export const signUpSchema = z.object({
  name: z.string().trim().max(80, "Keep your name under 80 characters").optional(),
  email: emailSchema,
  password: passwordSchema,
});

const ORIGIN = "http://arbor.invalid";
// A path never needs these; browsers strip tabs and newlines and read a backslash as "/", so they only ever smuggle a host in.
const SMUGGLING = /[\u0000-\u001f\u007f\\]/;

/** Undo percent-encoding a few layers deep, as a chain of proxies and frameworks might. */
function decodedLayers(path: string): string[] {
  const layers = [path];
  for (let i = 0; i < 3; i++) {
    try {
      const next = decodeURIComponent(layers[layers.length - 1] ?? "");
      if (next === layers[layers.length - 1]) break;
      layers.push(next);
    } catch {
      break; // a stray "%" is not an escape; the layers so far are all there is
    }
  }
  return layers;
}

/**
 * Where to go after signing in, or `fallback`. Only a path on our own origin
 * passes, judged the way a browser judges it: `URL` parses it against a
 * stand-in origin and the origin must not change (so "//host", "/\t/host" and
 * "/\\host" fail), and no decoded form of the path may start a new authority.
 */
export function safeNext(next: unknown, fallback = "/dashboard"): string {
  if (typeof next !== "string" || !next.startsWith("/") || SMUGGLING.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== ORIGIN) return fallback;
  if (decodedLayers(url.pathname).some((path) => path.startsWith("//") || SMUGGLING.test(path))) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
