"use client";

import { useCallback, useRef, useState } from "react";
import type { FlowNode } from "./to-flow";

/** How long the pointer rests on a message before its preview opens. */
const HOVER_DELAY_MS = 350;

/** The preview of a message under a resting pointer; leaving the node closes it. */
export function useHoverPreview() {
  const [hover, setHover] = useState<{ messageId: string; x: number; y: number } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onNodeMouseEnter = useCallback((event: React.MouseEvent, node: FlowNode) => {
    if (node.type !== "message") return;
    if (timer.current) clearTimeout(timer.current);
    const { clientX, clientY } = event;
    timer.current = setTimeout(() => setHover({ messageId: node.id.slice(2), x: clientX, y: clientY }), HOVER_DELAY_MS);
  }, []);
  const onNodeMouseLeave = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    setHover(null);
  }, []);
  return { hover, onNodeMouseEnter, onNodeMouseLeave };
}
