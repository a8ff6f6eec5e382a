"use client";

import { Panel, useReactFlow, useStoreApi } from "@xyflow/react";
import { useEffect, useMemo, useRef } from "react";
import { type BoardScene, drawScene, fitView, type View } from "./board-scene";
import type { FlowNode } from "./to-flow";
import { useCanvas2d } from "./use-canvas-2d";

/**
 * The minimap: the whole board in the corner, with the part on screen
 * outlined. Drag or click in it to move there, scroll in it to zoom.
 * Drawn on a canvas from the same scene as the overview — the board is
 * painted once per change and only the outline moves while panning.
 */

const WIDTH = 180;
const HEIGHT = 120;
const PAD = 6;

export function BoardMiniMap({ scene }: { scene: BoardScene }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();
  const flow = useReactFlow<FlowNode>();
  const view = useMemo<View | null>(() => (scene.bounds ? fitView(scene.bounds, WIDTH, HEIGHT, PAD) : null), [scene]);

  // the board itself, painted once per scene, copied under the outline every frame
  const board = useRef<{ canvas: HTMLCanvasElement; scene: BoardScene; ratio: number } | null>(null);
  const paintBoard = (ratio: number) => {
    if (board.current?.scene === scene && board.current.ratio === ratio) return board.current.canvas;
    const canvas = board.current?.canvas ?? document.createElement("canvas");
    canvas.width = Math.round(WIDTH * ratio);
    canvas.height = Math.round(HEIGHT * ratio);
    const ctx = canvas.getContext("2d");
    if (ctx && view) drawScene(ctx, scene, view, ratio);
    board.current = { canvas, scene, ratio };
    return canvas;
  };

  const request = useCanvas2d(ref, (ctx, _w, _h, ratio) => {
    if (!view) return;
    ctx.drawImage(paintBoard(ratio), 0, 0);
    const { transform, width, height } = store.getState();
    const [tx, ty, zoom] = transform;
    // the part of the board on screen, in flow coordinates, then in minimap pixels
    const x = (-tx / zoom) * view.zoom + view.x;
    const y = (-ty / zoom) * view.zoom + view.y;
    const w = (width / zoom) * view.zoom;
    const h = (height / zoom) * view.zoom;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "rgba(24, 24, 27, 0.08)";
    ctx.beginPath();
    ctx.rect(0, 0, WIDTH, HEIGHT);
    ctx.rect(x, y, w, h);
    ctx.fill("evenodd");
    ctx.strokeStyle = "#10b981";
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x, y, w, h);
  });

  useEffect(
    () =>
      store.subscribe((state, previous) => {
        if (state.transform !== previous.transform || state.width !== previous.width || state.height !== previous.height) request();
      }),
    [store, request],
  );
  useEffect(() => request(), [scene, request]);

  /** Centre the board's viewport on the flow point under the pointer. */
  const moveTo = (event: React.PointerEvent<HTMLCanvasElement>) => {
    if (!view) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const fx = (event.clientX - rect.left - view.x) / view.zoom;
    const fy = (event.clientY - rect.top - view.y) / view.zoom;
    void flow.setCenter(fx, fy, { zoom: flow.getZoom() });
  };

  return (
    <Panel position="bottom-right" className="!m-3">
      <canvas
        ref={ref}
        role="img"
        aria-label="Mini map of the whole board; drag in it to move around"
        className="block cursor-pointer rounded-md border border-zinc-200 bg-white shadow-sm"
        style={{ width: WIDTH, height: HEIGHT, touchAction: "none" }}
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          moveTo(event);
        }}
        onPointerMove={(event) => {
          if (event.currentTarget.hasPointerCapture(event.pointerId)) moveTo(event);
        }}
        onWheel={(event) => {
          void (event.deltaY < 0 ? flow.zoomIn({ duration: 120 }) : flow.zoomOut({ duration: 120 }));
        }}
      />
    </Panel>
  );
}
