import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";

/**
 * Members a comment mentions: `@` followed by a member's email
 * (`@ana@example.com`) or the part before its `@` (`@ana`), as the comment
 * box's autocomplete writes them. Only members of the project count, so a
 * mention cannot reach anyone outside it.
 */
export async function mentionedMembers(db: Db, { projectId, body }: { projectId: string; body: string }): Promise<string[]> {
  const handles = [...body.matchAll(/(?:^|[^\w@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)/g)].map((m) => (m[1] ?? "").replace(/\.+$/, "").toLowerCase());
  if (handles.length === 0) return [];
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select u.id from project_members m join users u on u.id = m.user_id
        where m.project_id = ${projectId}
          and (lower(u.email) in (select jsonb_array_elements_text(${JSON.stringify(handles)}::jsonb))
            or lower(split_part(u.email, '@', 1)) in (select jsonb_array_elements_text(${JSON.stringify(handles)}::jsonb)))`,
  );
  return rows.map((r) => r.id);
}

/** Members for the comment box's @-autocomplete. */
export async function mentionCandidates(db: Db, { projectId, prefix }: { projectId: string; prefix: string }) {
  const like = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return queryRows<{ userId: string; name: string | null; email: string }>(
    db,
    sql`select u.id as "userId", u.name, u.email from project_members m join users u on u.id = m.user_id
        where m.project_id = ${projectId} and (lower(u.email) like ${like} or lower(coalesce(u.name, '')) like ${like})
        order by u.email limit 8`,
  );
}
