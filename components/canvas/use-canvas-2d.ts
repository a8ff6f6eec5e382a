"use client";

import { type RefObject, useEffect, useRef } from "react";

/**
 * A <canvas> kept at its CSS size × devicePixelRatio, redrawn at most once a
 * frame: `request()` asks for a frame, `draw` receives the 2D context, the
 * CSS size and the pixel ratio. Resizes and ratio changes redraw by themselves.
 */
export function useCanvas2d(
  ref: RefObject<HTMLCanvasElement | null>,
  draw: (ctx: CanvasRenderingContext2D, width: number, height: number, ratio: number) => void,
): () => void {
  const drawRef = useRef(draw);
  drawRef.current = draw;
  const frame = useRef<number | null>(null);
  const requestRef = useRef<() => void>(() => {});

  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) return;
    const paint = () => {
      frame.current = null;
      const ratio = window.devicePixelRatio || 1;
      const width = canvas.clientWidth;
      const height = canvas.clientHeight;
      const w = Math.max(1, Math.round(width * ratio));
      const h = Math.max(1, Math.round(height * ratio));
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, w, h);
      drawRef.current(ctx, width, height, ratio);
    };
    requestRef.current = () => {
      if (frame.current === null) frame.current = requestAnimationFrame(paint);
    };
    const observer = new ResizeObserver(() => requestRef.current());
    observer.observe(canvas);
    requestRef.current();
    return () => {
      observer.disconnect();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      requestRef.current = () => {};
    };
  }, [ref]);

  // a stable function for callers' effects and store subscriptions
  const request = useRef(() => requestRef.current()).current;
  return request;
}
