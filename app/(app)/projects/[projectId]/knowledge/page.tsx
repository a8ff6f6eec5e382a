import { Suspense } from "react";
import { KnowledgePanel } from "@/components/knowledge/knowledge-panel";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Knowledge · Arbor" };

export default async function KnowledgePage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  // Membership is checked here too, so a non-member gets the 404 page rather than an error in the panel.
  await loadOrNotFound(() => api.knowledge.list({ projectId }));
  return (
    <Suspense fallback={<p className="text-sm text-zinc-500">Loading the vault…</p>}>
      <KnowledgePanel projectId={projectId} />
    </Suspense>
  );
}
