"use client";

import { useState } from "react";
import { ChatList } from "./chat-list";
import { ChatThread } from "./chat-thread";
import type { ChatPermissions, ThreadData } from "./types";

type Props = {
  projectId: string;
  chatId: string | null;
  initialBranchId: string | null;
  initialMessageId: string | null;
  permissions: ChatPermissions;
  readOnlyReason: string | null;
  initialThread?: ThreadData;
};

/** The chat tab: the project's chats on the left, the open conversation (current branch) in the middle. */
export function ChatWorkspace({ projectId, chatId, initialBranchId, initialMessageId, permissions, readOnlyReason, initialThread }: Props) {
  // A chat started from the empty page gets its id here without remounting the thread that streams its answer.
  const [currentChatId, setCurrentChatId] = useState(chatId);
  return (
    <div className="grid gap-6 md:grid-cols-[15rem_minmax(0,1fr)]">
      {/* At the top of its column, not sticky: a sticky list beside a long thread floats down to wherever the page is scrolled (docs/interface.md "Chat page"). */}
      <aside className="md:self-start">
        <ChatList projectId={projectId} currentChatId={currentChatId} canWrite={permissions.canWrite} canDelete={permissions.canWrite} />
      </aside>
      <div className="min-w-0 max-w-3xl">
        <ChatThread
          projectId={projectId}
          chatId={chatId}
          initialBranchId={initialBranchId}
          initialMessageId={initialMessageId}
          permissions={permissions}
          readOnlyReason={readOnlyReason}
          onChatCreated={setCurrentChatId}
          initialThread={initialThread}
        />
      </div>
    </div>
  );
}
