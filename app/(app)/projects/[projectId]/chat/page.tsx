import { ChatWorkspace } from "@/components/chat/chat-workspace";
import { chatPermissions } from "@/components/chat/permissions";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Chat · Arbor" };

export default async function ChatIndexPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  const { role } = await loadOrNotFound(() => api.projects.get({ projectId }));
  return <ChatWorkspace projectId={projectId} chatId={null} initialBranchId={null} initialMessageId={null} {...chatPermissions(role)} />;
}
