import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";

export const dynamic = "force-dynamic";

/**
 * GET /api/health → 200 {"status":"ok","db":"ok"}, or 503 {"status":"error","db":"down"}.
 * Anyone may ask, so a failure says only that the database is down: the
 * driver's message names hosts, ports and databases, and goes to the log.
 */
export async function GET() {
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return Response.json({ status: "ok", db: "ok" });
  } catch (error) {
    console.error("[health] database check failed:", error);
    return Response.json({ status: "error", db: "down" }, { status: 503 });
  }
}
