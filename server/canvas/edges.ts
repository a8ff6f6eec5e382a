import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { canvasEdges } from "@/db/schema";
import type { EdgeStyle } from "@/db/schema";
import { AppError } from "@/server/errors";
import { resolveKey } from "./board-keys";

/** People's own edges between any two things on the board (messages, sources, notes). */

export const EDGE_LABEL_MAX = 200;

export const edgeStyleSchema = z
  .object({
    line: z.enum(["solid", "dashed"]).optional(),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #10b981")
      .optional(),
    arrowStart: z.boolean().optional(),
    arrowEnd: z.boolean().optional(),
  })
  .strict();

export async function createEdge(
  db: Db,
  args: { projectId: string; actorId: string; fromKey: string; toKey: string; label: string; style: EdgeStyle },
) {
  const label = args.label.trim();
  if (label.length > EDGE_LABEL_MAX) throw new AppError("bad_request:edge", `An edge label can hold at most ${EDGE_LABEL_MAX} characters.`);
  return db.transaction(async (tx) => {
    const from = await resolveKey(tx, { projectId: args.projectId, key: args.fromKey, allowed: ["m", "s", "n"] });
    const to = await resolveKey(tx, { projectId: args.projectId, key: args.toKey, allowed: ["m", "s", "n"] });
    if (from.key === to.key) throw new AppError("bad_request:edge", "An edge needs two different nodes.");
    if (from.deleted || to.deleted) throw new AppError("bad_request:edge", "That message was deleted; an edge cannot point at it.");
    const [row] = await tx
      .insert(canvasEdges)
      .values({ projectId: args.projectId, fromKey: from.key, toKey: to.key, label, style: args.style, authorId: args.actorId })
      .returning();
    if (!row) throw new Error("edge insert returned nothing");
    return row;
  });
}

export async function updateEdge(db: Db, args: { projectId: string; edgeId: string; label?: string; style?: EdgeStyle }) {
  const label = args.label?.trim();
  if (label !== undefined && label.length > EDGE_LABEL_MAX) {
    throw new AppError("bad_request:edge", `An edge label can hold at most ${EDGE_LABEL_MAX} characters.`);
  }
  const [row] = await db
    .update(canvasEdges)
    .set({ ...(label !== undefined ? { label } : {}), ...(args.style ? { style: args.style } : {}), updatedAt: sql`clock_timestamp()` })
    .where(liveEdge(args.projectId, args.edgeId))
    .returning();
  if (!row) throw new AppError("not_found:edge", "This edge does not exist any more.");
  return row;
}

/** Soft delete, so other boards learn of it through `canvas.changes`. */
export async function deleteEdge(db: Db, args: { projectId: string; edgeId: string }) {
  const [row] = await db
    .update(canvasEdges)
    .set({ deletedAt: sql`clock_timestamp()`, updatedAt: sql`clock_timestamp()` })
    .where(liveEdge(args.projectId, args.edgeId))
    .returning({ id: canvasEdges.id });
  if (!row) throw new AppError("not_found:edge", "This edge does not exist any more.");
  return { id: row.id };
}

function liveEdge(projectId: string, edgeId: string) {
  return and(eq(canvasEdges.id, edgeId), eq(canvasEdges.projectId, projectId), isNull(canvasEdges.deletedAt));
}
