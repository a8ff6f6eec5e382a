import { ChatWorkspace } from "@/components/chat/chat-workspace";
import { chatPermissions } from "@/components/chat/permissions";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Chat · Arbor" };

const single = (value: string | string[] | undefined) => (typeof value === "string" && value ? value : null);

export default async function ChatPage({
  params,
  searchParams,
}: {
  params: Promise<{ projectId: string; chatId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ projectId, chatId }, query] = await Promise.all([params, searchParams]);
  const api = await getServerCaller();
  const { role } = await loadOrNotFound(() => api.projects.get({ projectId }));
  // Unknown or foreign chats become the 404 page rather than an empty thread.
  const thread = await loadOrNotFound(() => api.chat.thread({ projectId, chatId, branchId: single(query.branch) ?? undefined }));
  return (
    <ChatWorkspace
      key={thread.chat.id}
      projectId={projectId}
      chatId={thread.chat.id}
      initialThread={thread}
      initialBranchId={single(query.branch)}
      initialMessageId={single(query.message)}
      {...chatPermissions(role)}
    />
  );
}
