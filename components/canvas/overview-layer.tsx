"use client";

import { useStoreApi } from "@xyflow/react";
import { useEffect, useRef } from "react";
import { type BoardScene, drawScene } from "./board-scene";
import { useCanvas2d } from "./use-canvas-2d";

/**
 * Zoomed out, the board is drawn on one canvas instead of thousands of DOM
 * nodes: below OVERVIEW_ZOOM a message's text is a few pixels high anyway,
 * and a canvas pans without dropping frames where a DOM tree of that size
 * cannot. It sits under React Flow's pane, so dragging and zooming work as
 * everywhere else; the board turns clicks on a box into "zoom to it".
 */

/** Below this zoom the messages are drawn as boxes (text at 12 px × 0.35 is about 4 px). */
export const OVERVIEW_ZOOM = 0.35;

export function OverviewLayer({ scene, active }: { scene: BoardScene; active: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();
  const sceneRef = useRef(scene);
  sceneRef.current = scene;
  const activeRef = useRef(active);
  activeRef.current = active;

  const request = useCanvas2d(ref, (ctx, _width, _height, ratio) => {
    if (!activeRef.current) return;
    const [x, y, zoom] = store.getState().transform;
    drawScene(ctx, sceneRef.current, { x, y, zoom }, ratio);
  });

  // redraw with the viewport, without re-rendering React on every pan frame
  useEffect(
    () =>
      store.subscribe((state, previous) => {
        if (activeRef.current && state.transform !== previous.transform) request();
      }),
    [store, request],
  );
  useEffect(() => request(), [scene, active, request]);

  return <canvas ref={ref} aria-hidden className="pointer-events-none absolute inset-0 h-full w-full" style={{ zIndex: 0, display: active ? "block" : "none" }} />;
}
