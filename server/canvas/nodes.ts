import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { canvasEdges, canvasNodes } from "@/db/schema";
import { AppError } from "@/server/errors";
import { type ParsedKey, resolveKey } from "./board-keys";

/**
 * Positions, locks and notes. A message, source or chat header gets a
 * canvas_nodes row the first time someone moves or locks it; until then the
 * tidy-tree layout places it. Timestamps use the database clock so
 * `canvas.changes` compares like with like across instances.
 */

/** Far beyond any real board; keeps a runaway drag from storing absurd numbers. */
export const COORDINATE_LIMIT = 10_000_000;
const KIND = { m: "message", s: "source", c: "chat" } as const;

export type Move = { key: string; x: number; y: number };

export function assertCoordinates(x: number, y: number) {
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    throw new AppError("bad_request:position", "A position must be a pair of finite numbers.");
  }
  if (Math.abs(x) > COORDINATE_LIMIT || Math.abs(y) > COORDINATE_LIMIT) {
    throw new AppError("bad_request:position", `A position must lie within ±${COORDINATE_LIMIT.toLocaleString("en")}.`);
  }
}

/** Move several nodes at once (a dragged selection): all or nothing. Locked nodes refuse. */
export async function moveNodes(db: Db, args: { projectId: string; actorId: string; moves: Move[] }) {
  for (const m of args.moves) assertCoordinates(m.x, m.y);
  return db.transaction(async (tx) => {
    const resolved: { key: ParsedKey; x: number; y: number }[] = [];
    for (const m of args.moves) {
      resolved.push({ key: await resolveKey(tx, { projectId: args.projectId, key: m.key, allowed: ["m", "s", "n", "c"] }), x: m.x, y: m.y });
    }
    for (const { key, x, y } of resolved) {
      const existing = await findNode(tx, args.projectId, key);
      if (existing?.locked) throw new AppError("conflict:canvas_locked", "This node is locked. Unlock it before moving it.");
      await writeNode(tx, args.projectId, args.actorId, key, { x, y });
    }
    return { moved: resolved.length };
  });
}

/** Lock or unlock a node where it stands (`x`,`y` = where the board shows it, for a node never stored). */
export async function setLocked(db: Db, args: { projectId: string; actorId: string; key: string; locked: boolean; x: number; y: number }) {
  assertCoordinates(args.x, args.y);
  return db.transaction(async (tx) => {
    const key = await resolveKey(tx, { projectId: args.projectId, key: args.key, allowed: ["m", "s", "n", "c"] });
    const existing = await findNode(tx, args.projectId, key);
    // locking never moves a node: a stored place wins; (x, y) only fills in for a node the layout placed
    const at = existing ? { x: existing.x, y: existing.y } : { x: args.x, y: args.y };
    await writeNode(tx, args.projectId, args.actorId, key, { ...at, locked: args.locked });
    return { key: key.key, locked: args.locked };
  });
}

async function findNode(db: Db, projectId: string, key: ParsedKey) {
  const where =
    key.prefix === "n"
      ? and(eq(canvasNodes.id, key.id), eq(canvasNodes.projectId, projectId))
      : and(eq(canvasNodes.projectId, projectId), eq(canvasNodes.kind, KIND[key.prefix]), eq(canvasNodes.ref, key.id));
  const [row] = await db.select().from(canvasNodes).where(where).limit(1);
  return row;
}

async function writeNode(db: Db, projectId: string, actorId: string, key: ParsedKey, values: { x: number; y: number; locked?: boolean }) {
  const set = { ...values, updatedAt: sql`clock_timestamp()` };
  if (key.prefix === "n") {
    await db.update(canvasNodes).set(set).where(and(eq(canvasNodes.id, key.id), eq(canvasNodes.projectId, projectId)));
    return;
  }
  await db
    .insert(canvasNodes)
    .values({ projectId, kind: KIND[key.prefix], ref: key.id, x: values.x, y: values.y, locked: values.locked ?? false, createdBy: actorId })
    .onConflictDoUpdate({ target: [canvasNodes.projectId, canvasNodes.kind, canvasNodes.ref], set });
}

// ─── notes ────────────────────────────────────────────────────────────────────

export const NOTE_MAX_CHARS = 4_000;

function cleanNoteText(text: string) {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new AppError("bad_request:note", "A note needs some text.");
  if (trimmed.length > NOTE_MAX_CHARS) throw new AppError("bad_request:note", `A note can hold at most ${NOTE_MAX_CHARS} characters.`);
  return trimmed;
}

export async function addNote(db: Db, args: { projectId: string; actorId: string; text: string; x: number; y: number }) {
  assertCoordinates(args.x, args.y);
  const text = cleanNoteText(args.text);
  const [row] = await db
    .insert(canvasNodes)
    .values({ projectId: args.projectId, kind: "note", text, x: args.x, y: args.y, createdBy: args.actorId })
    .returning();
  if (!row) throw new Error("note insert returned nothing");
  return { id: row.id, key: `n:${row.id}`, text: row.text ?? "", x: row.x, y: row.y };
}

export async function editNote(db: Db, args: { projectId: string; noteId: string; text: string }) {
  const text = cleanNoteText(args.text);
  const [row] = await db
    .update(canvasNodes)
    .set({ text, updatedAt: sql`clock_timestamp()` })
    .where(liveNote(args.projectId, args.noteId))
    .returning({ id: canvasNodes.id });
  if (!row) throw new AppError("not_found:note", "This note does not exist any more.");
  return { id: row.id, text };
}

/** Soft delete, so other boards learn of it; the note's edges go with it. */
export async function deleteNote(db: Db, args: { projectId: string; noteId: string }) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(canvasNodes)
      .set({ deletedAt: sql`clock_timestamp()`, updatedAt: sql`clock_timestamp()` })
      .where(liveNote(args.projectId, args.noteId))
      .returning({ id: canvasNodes.id });
    if (!row) throw new AppError("not_found:note", "This note does not exist any more.");
    const key = `n:${row.id}`;
    await tx
      .update(canvasEdges)
      .set({ deletedAt: sql`clock_timestamp()`, updatedAt: sql`clock_timestamp()` })
      .where(
        and(
          eq(canvasEdges.projectId, args.projectId),
          isNull(canvasEdges.deletedAt),
          sql`(${canvasEdges.fromKey} = ${key} or ${canvasEdges.toKey} = ${key})`,
        ),
      );
    return { id: row.id };
  });
}

function liveNote(projectId: string, noteId: string) {
  return and(eq(canvasNodes.id, noteId), eq(canvasNodes.projectId, projectId), eq(canvasNodes.kind, "note"), isNull(canvasNodes.deletedAt));
}
