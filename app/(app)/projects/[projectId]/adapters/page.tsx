import { AdaptersPanel } from "@/components/adapters/adapters-panel";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Adapters · Arbor" };

export default async function AdaptersPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  // Membership is checked here too, so a non-member gets the 404 page rather than an error in the panel.
  await loadOrNotFound(() => api.adapters.list({ projectId }));
  return <AdaptersPanel projectId={projectId} />;
}
