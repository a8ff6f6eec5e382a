import "server-only";
import type { Db } from "@/db/client";
import { activityEvents } from "@/db/schema";

export type ActivityInput = {
  projectId: string;
  actorId: string | null;
  /** past-tense verb: "invited", "joined", "changed_role", "forked", "escalated", "uploaded", "handed_over", … */
  verb: string;
  targetKind?: string;
  targetId?: string;
  detail?: Record<string, unknown>;
};

/** Append to the project's activity feed (in the caller's transaction, when it has one). */
export async function recordActivity(db: Db, event: ActivityInput): Promise<void> {
  await db.insert(activityEvents).values(event);
}
