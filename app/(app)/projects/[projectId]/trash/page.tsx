import { TrashPanel } from "@/components/trash/trash-panel";
import { Card, EmptyState } from "@/components/ui/card";
import { roleAtLeast } from "@/lib/roles";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Trash · Arbor" };

export default async function TrashPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  const { role } = await loadOrNotFound(() => api.projects.get({ projectId }));
  if (!roleAtLeast(role, "editor")) {
    return <EmptyState title="The trash is for editors">Deleted messages and chats wait there for 30 days, and only editors and the owner can see or restore them.</EmptyState>;
  }
  return (
    <Card>
      <h2 className="mb-1 text-base font-semibold">Trash</h2>
      <p className="mb-4 text-sm text-zinc-600">
        Deleted messages and chats stay here for 30 days, hidden from the chat, the canvas, search, share links and exports. Restore puts them back
        exactly as they were{role === "owner" ? "; Delete forever removes them at once" : ""}.
      </p>
      <TrashPanel projectId={projectId} isOwner={role === "owner"} />
    </Card>
  );
}
