"use client";

import { createContext, useContext } from "react";

/**
 * Callbacks the node components need. Passed through context rather than node
 * data so node data stays comparable and memoised nodes skip re-renders.
 */
export type BoardActions = {
  projectId: string;
  canEdit: boolean;
  canComment: boolean;
  toggleChat: (chatId: string) => void;
  toggleSubtree: (messageId: string) => void;
  select: (key: string) => void;
  openMessage: (chatId: string, messageId: string) => void;
};

export const BoardActionsContext = createContext<BoardActions | null>(null);

export function useBoardActions(): BoardActions {
  const actions = useContext(BoardActionsContext);
  if (!actions) throw new Error("useBoardActions needs a BoardActionsContext provider");
  return actions;
}
