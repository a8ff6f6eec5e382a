import { AgentsPanel } from "@/components/agents/agents-panel";
import { Card } from "@/components/ui/card";
import { roleAtLeast } from "@/lib/roles";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Agents · Arbor" };

export default async function AgentsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  const { role } = await loadOrNotFound(() => api.projects.get({ projectId }));
  return (
    <div className="grid max-w-3xl gap-6">
      <Card>
        <h2 className="mb-1 text-base font-semibold">Agents</h2>
        <p className="mb-4 text-sm text-zinc-600">
          Reusable assistants for this project: their instructions, the model they answer with and the knowledge they may draw on. Pick one in a chat; each
          answer keeps the agent's settings as they were when it was written.
        </p>
        <AgentsPanel projectId={projectId} canEdit={roleAtLeast(role, "editor")} />
      </Card>
    </div>
  );
}
