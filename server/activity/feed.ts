import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";

export type ActivityItem = {
  id: string;
  verb: string;
  targetKind: string | null;
  targetId: string | null;
  detail: Record<string, unknown> | null;
  createdAt: Date;
  actorId: string | null;
  actorName: string | null;
  /** the name of the person the event is about, when the target is a user */
  targetName: string | null;
  unread: boolean;
};

/**
 * A member's "last seen" time: their receipt, or — before they ever opened the
 * feed — the moment they joined, so a newcomer is not greeted by the project's
 * whole history as unread.
 */
const lastSeen = (projectId: string, userId: string) => sql`coalesce(
  (select r.last_seen_at from activity_receipts r where r.project_id = ${projectId} and r.user_id = ${userId}),
  (select m.created_at from project_members m where m.project_id = ${projectId} and m.user_id = ${userId}),
  now())`;

/** Newest first; `before` pages back through older events. */
export async function listActivity(
  db: Db,
  args: { projectId: string; userId: string; limit?: number; before?: Date },
): Promise<{ items: ActivityItem[]; unreadCount: number }> {
  const limit = Math.min(Math.max(args.limit ?? 30, 1), 100);
  const rows = await queryRows<{
    id: string;
    verb: string;
    target_kind: string | null;
    target_id: string | null;
    detail: Record<string, unknown> | null;
    created_at: string | Date;
    actor_id: string | null;
    actor_name: string | null;
    target_name: string | null;
    unread: boolean;
  }>(
    db,
    sql`select e.id, e.verb, e.target_kind, e.target_id, e.detail, e.created_at, e.actor_id,
               coalesce(nullif(a.name, ''), a.email) as actor_name,
               coalesce(nullif(t.name, ''), t.email) as target_name,
               (e.created_at > ${lastSeen(args.projectId, args.userId)} and e.actor_id is distinct from ${args.userId}) as unread
        from activity_events e
        left join users a on a.id = e.actor_id
        left join users t on e.target_kind = 'user' and t.id::text = e.target_id
        where e.project_id = ${args.projectId}
          ${args.before ? sql`and e.created_at < ${args.before.toISOString()}` : sql``}
        order by e.created_at desc, e.id desc
        limit ${limit}`,
  );
  return {
    items: rows.map((r) => ({
      id: r.id,
      verb: r.verb,
      targetKind: r.target_kind,
      targetId: r.target_id,
      detail: r.detail,
      createdAt: new Date(r.created_at),
      actorId: r.actor_id,
      actorName: r.actor_name,
      targetName: r.target_name,
      unread: Boolean(r.unread),
    })),
    unreadCount: await unreadActivityCount(db, args),
  };
}

/** Events by others since the member last looked. */
export async function unreadActivityCount(db: Db, args: { projectId: string; userId: string }): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(
    db,
    sql`select count(*)::int as n from activity_events e
        where e.project_id = ${args.projectId}
          and e.actor_id is distinct from ${args.userId}
          and e.created_at > ${lastSeen(args.projectId, args.userId)}`,
  );
  return Number(row?.n ?? 0);
}

export async function markActivitySeen(db: Db, args: { projectId: string; userId: string }): Promise<void> {
  await db.execute(sql`insert into activity_receipts (project_id, user_id, last_seen_at) values (${args.projectId}, ${args.userId}, now())
    on conflict (project_id, user_id) do update set last_seen_at = excluded.last_seen_at`);
}
