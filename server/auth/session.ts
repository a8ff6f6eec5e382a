import "server-only";
import type { SessionUser } from "@/server/trpc/init";

/** Placeholder until auth lands in this session; replaced by the Auth.js-backed version. */
export async function getSessionUser(): Promise<SessionUser | null> {
  return null;
}
