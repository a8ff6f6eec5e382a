"use client";

import { useCallback, useEffect, useState } from "react";

type Stored = { chats: string[]; messages: string[] };

/**
 * Which chats and subtrees this person collapsed. A view preference, not
 * shared data, so it lives in the browser (per project), not in the database.
 */
export function useCollapsed(projectId: string, messages: { id: string; parentId: string | null }[]) {
  const storageKey = `arbor:canvas:${projectId}:collapsed`;
  const [collapsedChats, setChats] = useState<ReadonlySet<string>>(new Set());
  const [collapsedMessages, setMessages] = useState<ReadonlySet<string>>(new Set());

  // read after mount: the server render cannot know it, and hydration must match
  useEffect(() => {
    try {
      const raw = window.localStorage.getItem(storageKey);
      if (!raw) return;
      const stored = JSON.parse(raw) as Partial<Stored>;
      setChats(new Set(Array.isArray(stored.chats) ? stored.chats : []));
      setMessages(new Set(Array.isArray(stored.messages) ? stored.messages : []));
    } catch (error) {
      console.warn("[arbor] ignoring an unreadable collapsed-state entry", error);
    }
  }, [storageKey]);

  const save = useCallback(
    (chats: ReadonlySet<string>, msgs: ReadonlySet<string>) => {
      try {
        window.localStorage.setItem(storageKey, JSON.stringify({ chats: [...chats], messages: [...msgs] } satisfies Stored));
      } catch (error) {
        console.warn("[arbor] could not remember collapsed state", error);
      }
    },
    [storageKey],
  );

  const toggleChat = useCallback(
    (chatId: string) => {
      setChats((prev) => {
        const next = new Set(prev);
        if (!next.delete(chatId)) next.add(chatId);
        setMessages((m) => {
          save(next, m);
          return m;
        });
        return next;
      });
    },
    [save],
  );

  const toggleSubtree = useCallback(
    (messageId: string) => {
      setMessages((prev) => {
        const next = new Set(prev);
        if (!next.delete(messageId)) next.add(messageId);
        setChats((c) => {
          save(c, next);
          return c;
        });
        return next;
      });
    },
    [save],
  );

  const expandAll = useCallback(() => {
    setChats(new Set());
    setMessages(new Set());
    save(new Set(), new Set());
  }, [save]);

  /** Make one message visible: expand its chat and every collapsed ancestor. */
  const reveal = useCallback(
    (messageId: string, chatId?: string) => {
      const parent = new Map(messages.map((m) => [m.id, m.parentId]));
      setMessages((prev) => {
        let changed = false;
        const next = new Set(prev);
        for (let m = parent.get(messageId) ?? null; m; m = parent.get(m) ?? null) if (next.delete(m)) changed = true;
        return changed ? next : prev;
      });
      if (chatId) setChats((prev) => (prev.has(chatId) ? new Set([...prev].filter((c) => c !== chatId)) : prev));
    },
    [messages],
  );

  return { collapsedChats, collapsedMessages, toggleChat, toggleSubtree, expandAll, reveal };
}
