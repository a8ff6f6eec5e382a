"use client";

import { applyNodeChanges, type NodeChange } from "@xyflow/react";
import { useCallback, useEffect, useRef, useState } from "react";
import type { FlowNode } from "./to-flow";

/**
 * The nodes React Flow works on, kept in step with the board's computed nodes:
 * a node being dragged keeps the pointer's position, an unchanged node keeps
 * its very object (memoised node components skip rendering), and a pass that
 * changes nothing keeps the array. Selection is ours, not React Flow's.
 */
export function useFlowNodes(computed: FlowNode[], selectedKey: string | null) {
  const [nodes, setNodes] = useState<FlowNode[]>(computed);
  useEffect(() => {
    setNodes((previous) => {
      const before = new Map(previous.map((n) => [n.id, n]));
      const next = computed.map((n) => {
        const p = before.get(n.id);
        const selected = n.id === selectedKey;
        // a node being dragged right now keeps the pointer's position, not the server's
        if (p?.dragging) return { ...n, position: p.position, dragging: true, measured: p.measured ?? n.measured, selected } as FlowNode;
        // keep the very same object when nothing changed, so memoised nodes skip rendering
        if (p && sameNode(p, n, selected)) return p;
        return { ...n, measured: p?.measured ?? n.measured, selected } as FlowNode;
      });
      // nothing changed at all (the first pass, a quiet poll): keep the array, so nothing downstream recomputes
      return next.length === previous.length && next.every((n, i) => n === previous[i]) ? previous : next;
    });
  }, [computed, selectedKey]);
  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    // selection is ours (clicks open the chat); React Flow may move and measure
    setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== "select" && c.type !== "remove"), ns));
  }, []);

  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  /** The node as it is now, for callbacks that must not re-run on every move. */
  const nodeByKey = useCallback((key: string) => nodesRef.current.find((n) => n.id === key), []);

  return { nodes, onNodesChange, nodesRef, nodeByKey };
}

function sameNode(previous: FlowNode, next: FlowNode, selected: boolean): boolean {
  if (!!previous.selected !== selected || previous.draggable !== next.draggable || previous.type !== next.type) return false;
  if (previous.position.x !== next.position.x || previous.position.y !== next.position.y) return false;
  if (previous.width !== next.width || previous.height !== next.height) return false;
  const a = previous.data as Record<string, unknown>;
  const b = next.data as Record<string, unknown>;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}
