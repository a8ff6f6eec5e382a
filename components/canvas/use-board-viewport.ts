"use client";

import { type Edge, getViewportForBounds, useReactFlow, useStore, useStoreApi } from "@xyflow/react";
import { type RefObject, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { NODE_HEIGHT, NODE_WIDTH } from "./layout";
import type { Selection } from "./side-panel";
import { type FlowNode, flowBounds } from "./to-flow";
import type { BoardMessage } from "./types";

/** Above this many nodes, opening fits the current branch instead of the whole board. */
const FIT_ALL_LIMIT = 400;
/** Zooming out stops here, or further if that is what it takes to see the whole board. */
const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 2;

/**
 * Where the board looks: the opening viewport (the whole board, or on a big
 * board the newest message, or `?focus=`), centring on a node, our own "fit
 * view" (React Flow's would fit only the nodes it was given), and a minimum
 * zoom that lets even a very wide board fit. `opened` turns true once the
 * opening viewport is set.
 */
export function useBoardViewport({
  computedNodes,
  nodesRef,
  nodeByKey,
  nodeCount,
  messages,
  focus,
  wrapperRef,
  reveal,
  select,
}: {
  computedNodes: FlowNode[];
  nodesRef: RefObject<FlowNode[]>;
  nodeByKey: (key: string) => FlowNode | undefined;
  /** how many nodes there are now: a focused node may appear only after a poll */
  nodeCount: number;
  messages: BoardMessage[];
  focus: string | null;
  wrapperRef: RefObject<HTMLDivElement | null>;
  reveal: (messageId: string) => void;
  select: (selection: Selection) => void;
}) {
  const flow = useReactFlow<FlowNode, Edge>();
  const store = useStoreApi();
  const [opened, setOpened] = useState(false);

  const centreOn = useCallback(
    (key: string, duration = 250) => {
      const node = nodeByKey(key);
      if (!node) return;
      void flow.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + NODE_HEIGHT / 2, { zoom: Math.max(flow.getZoom(), 0.8), duration });
    },
    [flow, nodeByKey],
  );
  // a very wide board (many forked chats side by side) needs to zoom out further than MIN_ZOOM to fit
  const paneWidth = useStore((s) => s.width);
  const paneHeight = useStore((s) => s.height);
  const minZoom = useMemo(() => {
    const bounds = flowBounds(computedNodes);
    if (!bounds || !paneWidth || !paneHeight) return MIN_ZOOM;
    return Math.max(0.002, Math.min(MIN_ZOOM, (0.8 * paneWidth) / bounds.width, (0.8 * paneHeight) / bounds.height));
  }, [computedNodes, paneWidth, paneHeight]);
  const fitAll = useCallback(() => {
    const bounds = flowBounds(nodesRef.current);
    const { width, height } = store.getState();
    if (!bounds || !width || !height) return;
    void flow.setViewport(getViewportForBounds(bounds, width, height, minZoom, MAX_ZOOM, 0.1), { duration: 250 });
  }, [flow, store, minZoom, nodesRef]);

  // ?focus=m:<id> — reveal the node if collapsed, select it and centre on it
  const focused = useRef(false);
  useEffect(() => {
    if (focused.current || !focus) return;
    const messageId = focus.startsWith("m:") ? focus.slice(2) : null;
    if (messageId) reveal(messageId);
    const timer = setTimeout(() => {
      if (nodeByKey(focus)) {
        focused.current = true;
        select({ kind: "node", key: focus });
        centreOn(focus);
      }
    }, 60);
    return () => clearTimeout(timer);
  }, [focus, reveal, centreOn, nodeByKey, nodeCount, select]);

  // opening a big board: frame the current branch's tip rather than every node
  const initialFit = useMemo(() => {
    if (focus || computedNodes.length <= FIT_ALL_LIMIT) return null;
    const latest = [...messages].sort((a, b) => +new Date(b.createdAt) - +new Date(a.createdAt))[0];
    return latest ? `m:${latest.id}` : null;
  }, [focus, computedNodes.length, messages]);
  const initialised = useRef(false);
  const onInit = useCallback(() => {
    if (initialised.current) return;
    initialised.current = true;
    // the opening viewport is set at once (no animation), then the nodes around it are given to React Flow
    const open = () => setOpened(true);
    if (focus) return open();
    if (initialFit) {
      centreOn(initialFit, 0);
      return open();
    }
    const bounds = flowBounds(computedNodes);
    const rect = wrapperRef.current?.getBoundingClientRect();
    if (!bounds || !rect) return open();
    const pad = 48;
    const zoom = Math.min(1, Math.max(0.05, Math.min((rect.width - pad * 2) / bounds.width, (rect.height - pad * 2) / bounds.height)));
    void flow.setViewport({
      x: rect.width / 2 - (bounds.x + bounds.width / 2) * zoom,
      // tall trees start at the top, where the conversation begins
      y: bounds.height * zoom > rect.height - pad * 2 ? pad - bounds.y * zoom : rect.height / 2 - (bounds.y + bounds.height / 2) * zoom,
      zoom,
    });
    open();
  }, [focus, initialFit, centreOn, computedNodes, flow, wrapperRef]);

  return { opened, centreOn, fitAll, minZoom, onInit };
}
