import { RequestLogPanel } from "@/components/request-logs/request-log-panel";
import { Card, EmptyState } from "@/components/ui/card";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Request log · Arbor" };

export default async function RequestLogPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  const { role } = await loadOrNotFound(() => api.projects.get({ projectId }));
  if (role !== "owner") {
    return <EmptyState title="The request log is visible to the owner only">It lists every member's model calls and what they cost.</EmptyState>;
  }
  return (
    <Card>
      <h2 className="mb-1 text-base font-semibold">Request log</h2>
      <p className="mb-4 text-sm text-zinc-600">Every model call of this project: who, which model and agent, how it went and what it cost. Request and response bodies are kept only if you turn that on below; keys never are.</p>
      <RequestLogPanel projectId={projectId} />
    </Card>
  );
}
