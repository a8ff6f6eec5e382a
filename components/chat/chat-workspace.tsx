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
      <aside className="md:sticky md:top-4 md:max-h-[calc(100vh-2rem)] md:self-start md:overflow-y-auto">
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
