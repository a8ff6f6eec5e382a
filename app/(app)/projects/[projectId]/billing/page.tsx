import { ProjectBilling } from "@/components/billing/project-billing";
import { EmptyState } from "@/components/ui/card";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Billing · Arbor" };

export default async function ProjectBillingPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  const { project, role } = await loadOrNotFound(() => api.projects.get({ projectId }));
  if (role !== "owner") {
    return (
      <EmptyState title="Billing is visible to the owner only">
        Cloud answers in “{project.title}” are paid by the project’s owner. Your own spending cap here is shown on the Members tab; ask the
        owner if you need it raised.
      </EmptyState>
    );
  }
  return <ProjectBilling projectId={projectId} />;
}
