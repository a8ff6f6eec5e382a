import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { projectMembers, users } from "@/db/schema";
import type { Role } from "@/lib/roles";
import { createProject } from "@/server/projects/service";
import type { Context, SessionUser } from "@/server/trpc/init";

/** A verified person with a unique email (no password unless given). */
export async function makeUser(db: Db, overrides: { email?: string; name?: string; passwordHash?: string } = {}) {
  const email = overrides.email ?? `u-${randomBytes(4).toString("hex")}@example.com`;
  const [user] = await db
    .insert(users)
    .values({ email, name: overrides.name ?? email.split("@")[0], emailVerified: new Date(), passwordHash: overrides.passwordHash })
    .returning();
  if (!user) throw new Error("user insert returned nothing");
  return user;
}

/** An owner, a project, and optionally members with the given roles. */
export async function makeProject(db: Db, roles: Role[] = []) {
  const owner = await makeUser(db);
  const project = await createProject(db, { ownerId: owner.id, title: "Test project" });
  const members: Record<string, Awaited<ReturnType<typeof makeUser>>> = {};
  for (const role of roles) {
    const u = await makeUser(db);
    await db.insert(projectMembers).values({ projectId: project.id, userId: u.id, role, quotaMicros: role === "owner" ? null : 5_000_000n });
    members[role] = u;
  }
  return { owner, project, members };
}

export function contextFor(db: Db, user: { id: string; email: string; name?: string | null } | null): Context {
  const sessionUser: SessionUser | null = user ? { id: user.id, email: user.email, name: user.name ?? null } : null;
  return { db, user: sessionUser, ip: "127.0.0.1" };
}
