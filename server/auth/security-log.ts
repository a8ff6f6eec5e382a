import "server-only";
import type { Db } from "@/db/client";
import { type SecurityEventKind, securityEvents } from "@/db/schema";

export async function logSecurityEvent(
  db: Db,
  event: { kind: SecurityEventKind; userId?: string | null; email?: string | null; detail?: Record<string, unknown> },
): Promise<void> {
  await db.insert(securityEvents).values({
    kind: event.kind,
    userId: event.userId ?? null,
    email: event.email ?? null,
    detail: event.detail ?? null,
  });
}
