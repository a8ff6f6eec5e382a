import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Project, type ProjectMember, projectMembers, projects } from "@/db/schema";
import { AppError } from "@/server/errors";
import { ROLE_CAN, type Role, roleAtLeast } from "@/lib/roles";

export type ProjectAccess = { project: Project; member: ProjectMember };

/**
 * Load a project together with the caller's membership in one query and check
 * the role. A project the caller is not a member of is NOT_FOUND — its
 * existence is not revealed; a member below `minimum` is FORBIDDEN.
 */
export async function requireProjectRole(
  db: Db,
  { projectId, userId, minimum }: { projectId: string; userId: string; minimum: Role },
): Promise<ProjectAccess> {
  const [row] = await db
    .select({ project: projects, member: projectMembers })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
    .limit(1);
  if (!row) throw notAMember();
  assertRole(row.member.role, minimum);
  return row;
}

/**
 * The role check on a role the caller already loaded (null = not a member):
 * a project the caller is not a member of is NOT_FOUND — its existence is not
 * revealed; a member below `minimum` is FORBIDDEN.
 */
export function assertRole(role: Role | null, minimum: Role): asserts role is Role {
  if (!role) throw notAMember();
  if (!roleAtLeast(role, minimum)) {
    throw new AppError("forbidden:project", `Your role in this project is ${role}: you can ${ROLE_CAN[role]}. Ask the owner for ${minimum} access.`);
  }
}

const notAMember = () => new AppError("not_found:project", "This project does not exist or you are not a member of it.");
