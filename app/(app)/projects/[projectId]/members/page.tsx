import { MembersPanel } from "@/components/collab/members-panel";
import { ProjectShareLinks } from "@/components/share/project-share-links";
import { getCurrentUser } from "@/server/auth/session";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Members · Arbor" };

export default async function MembersPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  const [{ project, role }, me] = await Promise.all([loadOrNotFound(() => api.projects.get({ projectId })), getCurrentUser()]);
  const canShare = role === "owner" || role === "editor";
  return (
    <>
      <MembersPanel projectId={projectId} projectTitle={project.title} isOwner={role === "owner"} myUserId={me?.id ?? ""} />
      {canShare ? <ProjectShareLinks projectId={projectId} isOwner={role === "owner"} /> : null}
    </>
  );
}
