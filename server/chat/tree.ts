import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import type { Message } from "@/db/schema";

/** Columns of `messages` as the Message type names them, for raw (recursive) queries. */
export const MESSAGE_COLUMNS = sql.raw(`m.id, m.chat_id as "chatId", m.parent_id as "parentId", m.merge_parent_id as "mergeParentId", m.role, m.content,
  m.author_id as "authorId", m.tier, m.model, m.status, m.error, m.tokens_in as "tokensIn", m.tokens_out as "tokensOut",
  m.cost_micros::text as "costMicros", m.latency_ms as "latencyMs", m.agent_id as "agentId", m.agent_snapshot as "agentSnapshot", m.adapter_id as "adapterId", m.adapter_name as "adapterName", m.lora_applied as "loraApplied", m.feedback, m.deleted_at as "deletedAt", m.created_at as "createdAt"`);

export type RawMessage = Omit<Message, "costMicros" | "createdAt" | "deletedAt"> & {
  costMicros: string;
  createdAt: string | Date;
  deletedAt: string | Date | null;
};

export function toMessage(r: RawMessage): Message {
  return {
    ...r,
    tokensIn: Number(r.tokensIn),
    tokensOut: Number(r.tokensOut),
    latencyMs: r.latencyMs === null ? null : Number(r.latencyMs),
    costMicros: BigInt(r.costMicros),
    createdAt: new Date(r.createdAt),
    deletedAt: r.deletedAt === null ? null : new Date(r.deletedAt),
  };
}

/**
 * A branch's messages, root first: the tip and its ancestors, walked up the
 * parent pointers in ONE recursive query (the deep-tree benchmark measures
 * exactly this). Scoped to the chat so a bad pointer cannot leak another chat.
 */
export async function readPath(db: Db, { chatId, tipMessageId }: { chatId: string; tipMessageId: string | null }): Promise<Message[]> {
  if (!tipMessageId) return [];
  // The walk carries only (id, parent_id) and steps through a LATERAL primary-key lookup, so the
  // planner cannot pick a hash join that rescans the chat on every level; columns are joined once at the end.
  const rows = await queryRows<RawMessage & { depth: number }>(
    db,
    sql`with recursive up(id, parent_id, depth) as (
          select id, parent_id, 0 from messages where id = ${tipMessageId} and chat_id = ${chatId}
          union all
          select p.id, p.parent_id, up.depth + 1 from up
          cross join lateral (select id, parent_id from messages where id = up.parent_id and chat_id = ${chatId}) p
        )
        select ${MESSAGE_COLUMNS}, up.depth from up join messages m on m.id = up.id order by up.depth desc`,
  );
  return rows.map(({ depth: _depth, ...r }) => toMessage(r));
}

/** Children of each given parent (null = the chat's roots), oldest first — the sibling switcher's order. */
export async function childrenOf(db: Db, { chatId, parentIds }: { chatId: string; parentIds: Array<string | null> }) {
  const ids = parentIds.filter((p): p is string => p !== null);
  const wantRoots = parentIds.some((p) => p === null);
  const result = new Map<string | null, string[]>();
  const list = await queryRows<{ id: string; parentId: string | null }>(
    db,
    sql`select id, parent_id as "parentId" from messages
        where chat_id = ${chatId} and deleted_at is null
          and (parent_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)
               or (${wantRoots} and parent_id is null))
        order by created_at, id`,
  );
  for (const row of list) {
    const key = row.parentId;
    const arr = result.get(key) ?? [];
    arr.push(row.id);
    result.set(key, arr);
  }
  return result;
}

/** The newest leaf under a message, following the newest child at every level. */
export async function newestLeaf(db: Db, { chatId, messageId }: { chatId: string; messageId: string }): Promise<string> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`with recursive down as (
          select m.id, 0 as depth from messages m where m.id = ${messageId} and m.chat_id = ${chatId}
          union all
          select c.id, down.depth + 1 from down
          cross join lateral (
            select id from messages where parent_id = down.id and deleted_at is null order by created_at desc, id desc limit 1
          ) c
        )
        select id from down order by depth desc limit 1`,
  );
  return rows[0]?.id ?? messageId;
}

/** Ids of a message and everything below it. */
export function subtreeSql(chatId: string, messageId: string) {
  return sql`with recursive sub as (
      select id from messages where id = ${messageId} and chat_id = ${chatId}
      union all
      select m.id from messages m join sub on m.parent_id = sub.id
    ) select id from sub`;
}

export async function isAncestorOrSelf(db: Db, { chatId, ancestorId, descendantId }: { chatId: string; ancestorId: string; descendantId: string }) {
  const rows = await queryRows<{ found: boolean }>(
    db,
    sql`with recursive up as (
          select id, parent_id from messages where id = ${descendantId} and chat_id = ${chatId}
          union all
          select m.id, m.parent_id from messages m join up on m.id = up.parent_id
        ) select exists(select 1 from up where id = ${ancestorId}) as found`,
  );
  return Boolean(rows[0]?.found);
}
