import "server-only";
import { getDb } from "@/db/client";
import { getCurrentUser } from "@/server/auth/session";
import { clientAddress } from "@/server/security/client-address";
import type { Context } from "./init";

/** The context of a real request: the process's database and the signed-in person, if any. */
export async function createRequestContext(headers: Headers): Promise<Context> {
  const db = await getDb();
  const current = await getCurrentUser();
  const user = current ? { id: current.id, email: current.email, name: current.name } : null;
  return { db, user, ip: clientAddress(headers), sessionToken: current?.sessionToken ?? null };
}
