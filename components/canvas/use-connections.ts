"use client";

import { useMutation } from "@tanstack/react-query";
import type { Connection, Edge } from "@xyflow/react";
import { type Dispatch, type SetStateAction, useCallback, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import type { BoardData, EdgeStyle } from "./types";

/** Board keys an edge may join: messages, sources and notes (not chat frames). */
const connectable = (key: string | null | undefined) => !!key && /^[msn]:/.test(key);

/**
 * Drawing an edge: a connection dropped between two nodes opens the edge
 * dialog (`pending`); submitting it creates the edge with its label and style
 * and shows it at once; cancelling forgets it.
 */
export function useConnections({ projectId, canEdit, setBoard }: { projectId: string; canEdit: boolean; setBoard: Dispatch<SetStateAction<BoardData>> }) {
  const trpc = useTRPC();
  const [pending, setPending] = useState<{ from: string; to: string } | null>(null);
  const createEdge = useMutation(trpc.canvas.createEdge.mutationOptions());
  const isValidConnection = useCallback((c: Connection | Edge) => connectable(c.source) && connectable(c.target) && c.source !== c.target, []);
  const onConnect = useCallback(
    (c: Connection) => {
      if (canEdit && isValidConnection(c)) setPending({ from: c.source, to: c.target });
    },
    [canEdit, isValidConnection],
  );
  const submit = ({ label, style }: { label: string; style: EdgeStyle }) => {
    if (!pending) return;
    createEdge.mutate(
      { projectId, fromKey: pending.from, toKey: pending.to, label, style },
      {
        onSuccess: (edge) => {
          setBoard((b) => ({ ...b, edges: [...b.edges.filter((e) => e.id !== edge.id), { ...edge, deleted: false }] }));
          setPending(null);
        },
      },
    );
  };
  const cancel = () => {
    createEdge.reset();
    setPending(null);
  };
  return { pending, onConnect, isValidConnection, submit, cancel, saving: createEdge.isPending, error: createEdge.error?.message };
}
