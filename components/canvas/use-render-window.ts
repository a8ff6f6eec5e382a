"use client";

import { type Edge, useStore, useStoreApi } from "@xyflow/react";
import { useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { buildScene } from "./board-scene";
import { OVERVIEW_ZOOM } from "./overview-layer";
import { inWindow, needsNewWindow, type Rect, viewportRect, windowAround } from "./render-window";
import type { FlowNode } from "./to-flow";

const NO_NODES: FlowNode[] = [];
const NO_EDGES: Edge[] = [];

/**
 * What React Flow is given: only the nodes around the viewport (render-window.ts),
 * re-cut when the viewport leaves the window; zoomed out, messages and chat
 * frames are drawn on the overview canvas (`scene`) instead of being nodes at
 * all. Nothing is given until `opened` (the opening viewport is set).
 */
export function useRenderWindow({ nodes, edges, allEdges, opened }: { nodes: FlowNode[]; edges: Edge[]; allEdges: Edge[]; opened: boolean }) {
  const store = useStoreApi();
  const [windowRect, setWindowRect] = useState<Rect | null>(null);
  const windowRef = useRef<Rect | null>(null);
  useEffect(() => {
    if (!opened) return;
    const follow = (s: { transform: [number, number, number]; width: number; height: number }) => {
      if (!s.width || !s.height) return;
      const viewport = viewportRect(s.transform, s.width, s.height);
      if (!needsNewWindow(windowRef.current, viewport)) return;
      windowRef.current = windowAround(viewport);
      setWindowRect(windowRef.current);
    };
    follow(store.getState());
    return store.subscribe((s, previous) => {
      if (s.transform !== previous.transform || s.width !== previous.width || s.height !== previous.height) follow(s);
    });
  }, [store, opened]);
  const zoomedOut = useStore((s) => s.transform[2] < OVERVIEW_ZOOM);
  // the minimap and overview can follow a moment later: first paint and input come first
  const sceneNodes = useDeferredValue(nodes, NO_NODES);
  const sceneEdges = useDeferredValue(allEdges, NO_EDGES);
  const scene = useMemo(() => buildScene(sceneNodes, sceneEdges), [sceneNodes, sceneEdges]);
  const shown = useMemo(() => {
    if (zoomedOut) return { nodes: nodes.filter((n) => !isDrawn(n)), edges: edges.filter((e) => !e.source.startsWith("m:") && !e.target.startsWith("m:")) };
    return inWindow(nodes, edges, windowRect);
  }, [nodes, edges, zoomedOut, windowRect]);
  return { shown, zoomedOut, scene };
}

/** Zoomed out, messages and chat frames are drawn on the overview canvas instead of being nodes. */
const isDrawn = (node: FlowNode) => node.type === "message" || node.type === "frame";
