"use client";

import { useEffect, useLayoutEffect, useRef } from "react";

/** Follow the conversation down as it grows, unless the reader has scrolled up to read; a focused message is scrolled to once. */
export function useStickToBottom(deps: unknown[], focusId: string | null) {
  const stick = useRef(true);
  const focused = useRef(false);
  useEffect(() => {
    function onScroll() {
      stick.current = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 160;
    }
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);
  useLayoutEffect(() => {
    if (focusId && !focused.current) {
      const el = document.getElementById(`message-${focusId}`);
      if (el) {
        focused.current = true;
        stick.current = false;
        el.scrollIntoView({ block: "center" });
        return;
      }
    }
    if (stick.current) window.scrollTo({ top: document.documentElement.scrollHeight });
    // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's growth signals
  }, deps);
}
