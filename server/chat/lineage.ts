import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import type { Message } from "@/db/schema";
import { MESSAGE_COLUMNS, type RawMessage, readPath, toMessage } from "./tree";

/**
 * What the model is shown before a turn: the messages the turn follows.
 * Without a merge in its ancestry that is the branch's path (`readPath`, one
 * walk up `parent_id`, unchanged). A merge message has two parents, so its
 * context is the union of both lines, every shared ancestor once, in this
 * order: the lines' shared start, then the first line (the branch the merge
 * was made from), then what the second line added after they split, then the
 * merge and what followed it. Formally a post-order walk that visits a
 * message's first parent, then its second parent, then the message, skipping
 * whatever it has already emitted — which is also a topological order, so
 * every message comes after both of its parents.
 * @see docs/chat.md "Merging branches"
 */
export async function readLineage(db: Db, { chatId, tips }: { chatId: string; tips: string[] }): Promise<Message[]> {
  if (tips.length === 0) return [];
  if (tips.length === 1) {
    const path = await readPath(db, { chatId, tipMessageId: tips[0] ?? null });
    // the common case costs the one walk it always did; only a merge on the way needs the graph
    if (!path.some((m) => m.mergeParentId)) return path;
  }
  return orderLineage(await readAncestry(db, { chatId, tips }), tips);
}

/** Every ancestor of the tips (and the tips), over both parent pointers, each once: ONE recursive query. */
async function readAncestry(db: Db, { chatId, tips }: { chatId: string; tips: string[] }): Promise<Map<string, Message>> {
  // `union` (not `union all`) drops a message reached a second time, so a shared ancestor is walked once.
  const rows = await queryRows<RawMessage>(
    db,
    sql`with recursive up(id) as (
          select id from messages where chat_id = ${chatId} and id in (select jsonb_array_elements_text(${JSON.stringify(tips)}::jsonb)::uuid)
          union
          select v.id from up
          cross join lateral (select parent_id, merge_parent_id from messages where id = up.id and chat_id = ${chatId}) p
          cross join lateral (values (p.parent_id), (p.merge_parent_id)) v(id)
          where v.id is not null
        )
        select ${MESSAGE_COLUMNS} from up join messages m on m.id = up.id and m.chat_id = ${chatId}`,
  );
  return new Map(rows.map((r) => [r.id, toMessage(r)]));
}

/** The post-order walk described above, without recursion (a branch may be thousands of messages deep). */
export function orderLineage(byId: Map<string, Pick<Message, "id" | "parentId" | "mergeParentId">>, tips: string[]): Message[];
export function orderLineage<M extends Pick<Message, "id" | "parentId" | "mergeParentId">>(byId: Map<string, M>, tips: string[]): M[];
export function orderLineage<M extends Pick<Message, "id" | "parentId" | "mergeParentId">>(byId: Map<string, M>, tips: string[]): M[] {
  const out: M[] = [];
  const done = new Set<string>();
  const entered = new Set<string>();
  const stack: string[] = [...tips].reverse();
  while (stack.length > 0) {
    const id = stack[stack.length - 1] as string;
    const message = byId.get(id);
    if (!message || done.has(id)) {
      stack.pop();
      continue;
    }
    if (!entered.has(id)) {
      entered.add(id);
      // pushed second-parent first, so the first parent is visited first
      for (const parent of [message.mergeParentId, message.parentId]) if (parent && !done.has(parent) && !entered.has(parent)) stack.push(parent);
      continue;
    }
    stack.pop();
    done.add(id);
    out.push(message);
  }
  return out;
}
