"use client";

import { useMutation } from "@tanstack/react-query";
import { type Dispatch, type SetStateAction, useCallback, useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import type { Point } from "./layout";
import type { FlowNode } from "./to-flow";
import type { BoardData } from "./types";

/** Moves are saved this long after the last drop, so a burst of drags is one request. */
const SAVE_DELAY_MS = 400;

type Move = { key: string; x: number; y: number };

/**
 * Moving nodes, saved in the background: a drop shows the new position at once
 * (`pendingPositions`), and the moves of a burst of drags go out as one request
 * SAVE_DELAY_MS after the last. Saved, they become the board's own positions;
 * refused, the node goes back and `onError` says why.
 */
export function useNodeMoves({
  projectId,
  canEdit,
  setBoard,
  onError,
}: {
  projectId: string;
  canEdit: boolean;
  setBoard: Dispatch<SetStateAction<BoardData>>;
  onError: (message: string) => void;
}) {
  const trpc = useTRPC();
  const [pendingPositions, setPendingPositions] = useState<ReadonlyMap<string, Point>>(new Map());
  const moveNodes = useMutation(trpc.canvas.moveNodes.mutationOptions());
  const queued = useRef(new Map<string, Point>());
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const flushMoves = useCallback(() => {
    const moves = [...queued.current].map(([key, p]) => ({ key, x: p.x, y: p.y }));
    queued.current.clear();
    if (moves.length === 0) return;
    moveNodes.mutate(
      { projectId, moves },
      {
        onSuccess: () => {
          setBoard((b) => applyLocalMoves(b, moves));
          setPendingPositions((m) => withoutKeys(m, moves));
        },
        onError: (error) => {
          onError(error.message);
          setPendingPositions((m) => withoutKeys(m, moves));
        },
      },
    );
  }, [moveNodes, projectId, setBoard, onError]);

  const onNodeDragStop = useCallback(
    (_: unknown, __: FlowNode, dragged: FlowNode[]) => {
      if (!canEdit) return;
      const moved = dragged.filter((n) => n.type !== "frame").map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }] as const);
      setPendingPositions((m) => new Map([...m, ...moved]));
      for (const [key, p] of moved) queued.current.set(key, p);
      if (saveTimer.current) clearTimeout(saveTimer.current);
      saveTimer.current = setTimeout(flushMoves, SAVE_DELAY_MS);
    },
    [canEdit, flushMoves],
  );
  useEffect(
    () => () => {
      if (saveTimer.current) clearTimeout(saveTimer.current);
    },
    [],
  );

  return { pendingPositions, onNodeDragStop };
}

function applyLocalMoves(board: BoardData, moves: Move[]): BoardData {
  const positions = [...board.positions];
  let notes = board.notes;
  for (const m of moves) {
    if (m.key.startsWith("n:")) {
      notes = notes.map((n) => (`n:${n.id}` === m.key ? { ...n, x: m.x, y: m.y } : n));
      continue;
    }
    const i = positions.findIndex((p) => p.key === m.key);
    const next = { key: m.key, x: m.x, y: m.y, locked: positions[i]?.locked ?? false, style: positions[i]?.style ?? {}, updatedAt: new Date() };
    if (i >= 0) positions[i] = next;
    else positions.push(next);
  }
  return { ...board, positions, notes };
}

function withoutKeys(map: ReadonlyMap<string, Point>, moves: { key: string }[]) {
  const next = new Map(map);
  for (const m of moves) next.delete(m.key);
  return next;
}
