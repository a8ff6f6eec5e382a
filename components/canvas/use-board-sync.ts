"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPCClient } from "@/components/providers/trpc";
import { isQuiet, mergeChanges } from "./merge-changes";
import type { BoardData } from "./types";

/** How often the board asks for other members' changes (they must show within ~2 s). */
const POLL_MS = 1_500;
const PAUSED = "Live updates paused";

/**
 * The board as this tab knows it, kept in step with other members' changes:
 * every POLL_MS it asks for what changed since its cursor (and for the answers
 * still streaming) and merges it in; a quiet poll leaves the board as it was.
 * A failed poll says so in `notice` until the next one succeeds.
 */
export function useBoardSync(projectId: string, initialBoard: BoardData) {
  const client = useTRPCClient();
  const [board, setBoard] = useState(initialBoard);
  const boardRef = useRef(board);
  boardRef.current = board;
  const cursorRef = useRef<Date>(initialBoard.cursor);
  const [notice, setNotice] = useState<string | null>(null);

  const polling = useRef(false);
  const poll = useCallback(async () => {
    if (polling.current) return;
    polling.current = true;
    try {
      const watch = boardRef.current.messages.filter((m) => m.status === "streaming").map((m) => m.id).slice(0, 500);
      const changes = await client.canvas.changes.query({ projectId, since: cursorRef.current, watch });
      if (changes.trashMoved) {
        // a subtree went to the trash or came back: read the whole board again rather than patch it
        const fresh = await client.canvas.board.query({ projectId });
        cursorRef.current = fresh.cursor;
        setBoard(fresh);
        return;
      }
      cursorRef.current = changes.cursor;
      if (!isQuiet(changes, boardRef.current)) setBoard((b) => mergeChanges(b, changes));
    } catch (error) {
      setNotice(`${PAUSED}: ${error instanceof Error ? error.message : "connection lost"}. Retrying…`);
      return;
    } finally {
      polling.current = false;
    }
    setNotice((n) => (n?.startsWith(PAUSED) ? null : n));
  }, [client, projectId]);
  useEffect(() => {
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(timer);
  }, [poll]);

  return { board, setBoard, poll, notice, setNotice };
}
