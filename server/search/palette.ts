import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { type MessageHit, searchMessages } from "./messages";

export type PaletteResults = {
  chats: { chatId: string; title: string; summary: string; projectId: string; projectTitle: string }[];
  messages: MessageHit[];
  sources: { sourceId: string; title: string; projectId: string; projectTitle: string }[];
  people: { userId: string; name: string | null; email: string; projectId: string; projectTitle: string; role: string }[];
};

const PER_GROUP = 5;

/** `%text%` for ILIKE with the person's `%`, `_` and `\` taken literally. */
export function containsPattern(text: string) {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * What the ⌘K palette offers for a query: chats and sources by title, people
 * by name or email, and the best message hits — all within the projects the
 * person is a member of (or the one given, which the caller has checked).
 * Titles and names are short lists per project, so a substring match is right
 * here (it finds "garden" in "Kitchen-garden plan"); messages use the index.
 */
export async function searchPalette(db: Db, { userId, projectId, query }: { userId: string; projectId?: string; query: string }): Promise<PaletteResults> {
  const text = query.trim().slice(0, 200);
  if (!text) return { chats: [], messages: [], sources: [], people: [] };
  const like = containsPattern(text);
  const scope = projectId ? sql`and pm.project_id = ${projectId}` : sql``;
  const readable = sql`(select pm.project_id from project_members pm where pm.user_id = ${userId} ${scope})`;
  const [chats, sources, people, messages] = await Promise.all([
    queryRows<PaletteResults["chats"][number]>(
      db,
      sql`select c.id as "chatId", c.title, coalesce(cs.summary, '') as summary, c.project_id as "projectId", p.title as "projectTitle"
          from chats c join projects p on p.id = c.project_id left join chat_summaries cs on cs.chat_id = c.id
          where c.project_id in ${readable} and c.trash_id is null and c.title ilike ${like}
          order by c.updated_at desc limit ${PER_GROUP}`,
    ),
    queryRows<PaletteResults["sources"][number]>(
      db,
      sql`select s.id as "sourceId", s.title, s.project_id as "projectId", p.title as "projectTitle"
          from sources s join projects p on p.id = s.project_id
          where s.project_id in ${readable} and s.title ilike ${like}
          order by s.created_at desc limit ${PER_GROUP}`,
    ),
    queryRows<PaletteResults["people"][number]>(
      db,
      sql`select distinct on (u.id) u.id as "userId", u.name, u.email, m.project_id as "projectId", p.title as "projectTitle", m.role
          from project_members m join users u on u.id = m.user_id join projects p on p.id = m.project_id
          where m.project_id in ${readable} and (u.name ilike ${like} or u.email::text ilike ${like})
          order by u.id, p.title limit ${PER_GROUP}`,
    ),
    searchMessages(db, { userId, projectId, query: text, limit: PER_GROUP }),
  ]);
  return { chats, messages, sources, people };
}
