import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { canvasNodes, chats, messages, sources } from "@/db/schema";
import { AppError } from "@/server/errors";

/**
 * Everything on the board is named by a canvas key: "m:<messageId>",
 * "s:<sourceId>", "n:<noteId>" (a canvas_nodes row) or "c:<chatId>" (a chat's
 * group header). Edges and comments store keys, so every key that arrives from
 * a client is resolved here, scoped to the project, before anything is written.
 */
export const KEY_KINDS = { m: "message", s: "source", n: "note", c: "chat" } as const;
export type KeyPrefix = keyof typeof KEY_KINDS;
export type ParsedKey = { prefix: KeyPrefix; id: string; key: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseKey(key: string): ParsedKey | null {
  const [prefix, id, ...rest] = key.split(":");
  if (rest.length > 0 || !prefix || !id || !(prefix in KEY_KINDS) || !UUID.test(id)) return null;
  return { prefix: prefix as KeyPrefix, id: id.toLowerCase(), key: `${prefix}:${id.toLowerCase()}` };
}

/** A zod field for a canvas key limited to some kinds. */
export function canvasKey(allowed: KeyPrefix[]) {
  return z.string().refine((v) => {
    const parsed = parseKey(v);
    return parsed !== null && allowed.includes(parsed.prefix);
  }, `must be a canvas key like ${allowed.map((p) => `"${p}:<id>"`).join(" or ")}`);
}

export type ResolvedKey = ParsedKey & { messageId: string | null; deleted: boolean };

/**
 * Check that a key names a thing of this project. Another project's node is
 * "not found" — indistinguishable from one that never existed.
 */
export async function resolveKey(
  db: Db,
  { projectId, key, allowed }: { projectId: string; key: string; allowed: KeyPrefix[] },
): Promise<ResolvedKey> {
  const parsed = parseKey(key);
  if (!parsed || !allowed.includes(parsed.prefix)) {
    throw new AppError("bad_request:canvas_key", `"${key}" is not something on this board.`);
  }
  const notFound = () => new AppError("not_found:canvas_node", `${capital(KEY_KINDS[parsed.prefix])} ${parsed.id} is not on this project's board.`);
  switch (parsed.prefix) {
    case "m": {
      const [row] = await db
        .select({ id: messages.id, deletedAt: messages.deletedAt })
        .from(messages)
        .innerJoin(chats, eq(chats.id, messages.chatId))
        .where(and(eq(messages.id, parsed.id), eq(chats.projectId, projectId), isNull(messages.trashId)))
        .limit(1);
      if (!row) throw notFound();
      return { ...parsed, messageId: row.id, deleted: row.deletedAt !== null };
    }
    case "s": {
      const [row] = await db
        .select({ id: sources.id })
        .from(sources)
        .where(and(eq(sources.id, parsed.id), eq(sources.projectId, projectId)))
        .limit(1);
      if (!row) throw notFound();
      return { ...parsed, messageId: null, deleted: false };
    }
    case "n": {
      const [row] = await db
        .select({ id: canvasNodes.id })
        .from(canvasNodes)
        .where(and(eq(canvasNodes.id, parsed.id), eq(canvasNodes.projectId, projectId), eq(canvasNodes.kind, "note"), isNull(canvasNodes.deletedAt)))
        .limit(1);
      if (!row) throw notFound();
      return { ...parsed, messageId: null, deleted: false };
    }
    case "c": {
      const [row] = await db
        .select({ id: chats.id })
        .from(chats)
        .where(and(eq(chats.id, parsed.id), eq(chats.projectId, projectId)))
        .limit(1);
      if (!row) throw notFound();
      return { ...parsed, messageId: null, deleted: false };
    }
  }
}

function capital(word: string) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
