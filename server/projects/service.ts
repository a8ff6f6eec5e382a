import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import type { Role } from "@/lib/roles";
import { type Project, type ProjectSettings, projectMembers, projects, sources } from "@/db/schema";
import { recordActivity } from "@/server/activity/record";
import { AppError } from "@/server/errors";
import { deleteOrphanBlobs } from "@/server/knowledge/blobs";

export type ProjectListItem = Pick<Project, "id" | "title" | "description" | "icon" | "status" | "updatedAt"> & {
  role: Role;
  ownerEmail: string;
  /** activity by others since the person last opened the project's feed (server/activity/feed.ts) */
  unreadActivity: number;
};

export async function createProject(
  db: Db,
  { ownerId, title, description = "", icon }: { ownerId: string; title: string; description?: string; icon?: string },
): Promise<Project> {
  return db.transaction(async (tx) => {
    const [project] = await tx
      .insert(projects)
      .values({ ownerId, title: title.trim(), description, ...(icon ? { icon } : {}) })
      .returning();
    if (!project) throw new Error("project insert returned nothing");
    await tx.insert(projectMembers).values({ projectId: project.id, userId: ownerId, role: "owner" });
    await recordActivity(tx, { projectId: project.id, actorId: ownerId, verb: "created_project" });
    return project;
  });
}

/** Projects I own and projects I am a member of, most recently changed first. */
export async function listProjectsForUser(db: Db, { userId }: { userId: string }): Promise<ProjectListItem[]> {
  const rows = await db.execute(sql`
    select p.id, p.title, p.description, p.icon, p.status, p.updated_at as "updatedAt", m.role, u.email as "ownerEmail",
      (select count(*)::int from activity_events e
        where e.project_id = p.id and e.actor_id is distinct from ${userId}
          and e.created_at > coalesce((select r.last_seen_at from activity_receipts r where r.project_id = p.id and r.user_id = ${userId}), m.created_at)
      ) as "unreadActivity"
    from project_members m
    join projects p on p.id = m.project_id
    join users u on u.id = p.owner_id
    where m.user_id = ${userId}
    order by p.status asc, p.updated_at desc`);
  const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Array<
    ProjectListItem & { updatedAt: string | Date }
  >;
  return list.map((r) => ({ ...r, updatedAt: new Date(r.updatedAt), unreadActivity: Number(r.unreadActivity) }));
}

export async function renameProject(db: Db, { projectId, title, description }: { projectId: string; title: string; description?: string }) {
  const [row] = await db
    .update(projects)
    .set({ title: title.trim(), ...(description !== undefined ? { description } : {}), updatedAt: new Date() })
    .where(eq(projects.id, projectId))
    .returning();
  return row;
}

export async function setProjectArchived(db: Db, { projectId, archived, actorId }: { projectId: string; archived: boolean; actorId: string }) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(projects)
      .set({ status: archived ? "archived" : "active", updatedAt: new Date() })
      .where(eq(projects.id, projectId))
      .returning();
    await recordActivity(tx, { projectId, actorId, verb: archived ? "archived_project" : "restored_project" });
    return row;
  });
}

/**
 * Delete asks the owner to type the project's name; everything in it goes
 * with it (cascades), and so do the stored bytes of its sources — except
 * those another project's sources still use (blobs are shared by content) —
 * and except while one of its answers is being written or holds budget: its
 * hold would cascade away unbilled and the payer's reserved_micros would stay
 * raised for good. The project row is locked first, so a hold placed
 * meanwhile (its insert checks the foreign key, which waits for this lock)
 * either is seen here or fails once the row is gone.
 */
export async function deleteProject(db: Db, { projectId, confirmTitle }: { projectId: string; confirmTitle: string }) {
  await db.transaction(async (tx) => {
    const [project] = await tx.select().from(projects).where(eq(projects.id, projectId)).for("update");
    if (!project) throw new AppError("not_found:project", "This project does not exist.");
    if (confirmTitle.trim() !== project.title) {
      throw new AppError("bad_request:confirm", `Type the project's name, “${project.title}”, to delete it.`);
    }
    const [busy] = await queryRows<{ holds: number; streams: number }>(
      tx,
      sql`select (select count(*)::int from reservations where project_id = ${projectId} and status = 'open') as holds,
            (select count(*)::int from chat_streams s join chats c on c.id = s.chat_id where c.project_id = ${projectId} and s.status = 'running') as streams`,
    );
    if (busy && (busy.holds > 0 || busy.streams > 0)) {
      throw new AppError(
        "conflict:answer_in_progress",
        "An answer is still being written in this project. Wait for it to finish or stop it, then delete the project.",
      );
    }
    const held = await tx
      .select({ original: sources.originalSha256, extracted: sources.extractedSha256 })
      .from(sources)
      .where(eq(sources.projectId, projectId));
    await tx.delete(projects).where(and(eq(projects.id, projectId)));
    await deleteOrphanBlobs(tx, { candidates: held.flatMap((s) => [s.original, s.extracted]) });
  });
}

/**
 * Mark a member active. Throttled in the WHERE clause to one write per five
 * minutes, so calling it on every project request costs a no-op update at most.
 */
export async function touchMember(db: Db, { projectId, userId }: { projectId: string; userId: string }) {
  await db
    .update(projectMembers)
    .set({ lastActiveAt: new Date() })
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.userId, userId),
        sql`(${projectMembers.lastActiveAt} is null or ${projectMembers.lastActiveAt} < now() - interval '5 minutes')`,
      ),
    );
}


/** Merge a partial settings change into the stored settings, in one statement (no read-modify-write race). */
export async function updateProjectSettings(
  db: Db,
  { projectId, actorId, changes }: { projectId: string; actorId: string; changes: Partial<ProjectSettings> },
) {
  const clean = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(projects)
      .set({ settings: sql`${projects.settings} || ${JSON.stringify(clean)}::jsonb`, updatedAt: new Date() })
      .where(eq(projects.id, projectId))
      .returning();
    await recordActivity(tx, { projectId, actorId, verb: "changed_settings", detail: { fields: Object.keys(clean) } });
    return row;
  });
}
