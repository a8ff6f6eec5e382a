import "server-only";
import { getDb } from "@/db/client";
import { getSessionUser } from "@/server/auth/session";
import type { Context } from "./init";

/** The context of a real request: the process's database and the signed-in person, if any. */
export async function createRequestContext(headers: Headers): Promise<Context> {
  const db = await getDb();
  const user = await getSessionUser();
  const ip = headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip") || "local";
  return { db, user, ip };
}
