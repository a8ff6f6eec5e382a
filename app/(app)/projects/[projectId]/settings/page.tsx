import { ProjectLocalTier } from "@/components/devices/project-local-tier";
import { HandoverPanel } from "@/components/collab/handover-panel";
import { ProvidersPanel } from "@/components/model-providers/providers-panel";
import { AnswerSettingsForm, DangerZone, GeneralSettingsForm } from "@/components/projects/settings-form";
import { Card } from "@/components/ui/card";
import { roleAtLeast } from "@/lib/roles";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Settings · Arbor" };

export default async function SettingsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  const [{ project, role }, models] = await Promise.all([loadOrNotFound(() => api.projects.get({ projectId })), api.projects.cloudModels()]);
  const isOwner = role === "owner";
  return (
    <div className="grid max-w-3xl gap-6">
      <Card>
        <h2 className="mb-4 text-base font-semibold">General</h2>
        <GeneralSettingsForm projectId={projectId} title={project.title} description={project.description} canEdit={isOwner} />
      </Card>
      <Card>
        <h2 className="mb-1 text-base font-semibold">Answers</h2>
        <p className="mb-4 text-sm text-zinc-600">How this project's chats choose between the local tier and Claude.</p>
        <AnswerSettingsForm projectId={projectId} settings={project.settings} canEdit={roleAtLeast(role, "editor")} models={models} />
      </Card>
      {roleAtLeast(role, "editor") ? (
        <Card>
          <h2 className="mb-1 text-base font-semibold">Local tier</h2>
          <p className="mb-4 text-sm text-zinc-600">
            {isOwner
              ? "Which machine answers this project's local tier: one of your devices, or an editor's device you allowed. An offline device leaves it to the escalation policy."
              : "Offer one of your devices to answer this project's local tier. The owner decides, and can revoke it at any time; it also ends if you leave the project."}
          </p>
          <ProjectLocalTier projectId={projectId} isOwner={isOwner} />
        </Card>
      ) : null}
      {isOwner ? (
        <>
          <Card>
            <h2 className="mb-1 text-base font-semibold">Providers</h2>
            <p className="mb-4 text-sm text-zinc-600">
              Your own OpenAI-compatible model servers (vLLM, llama.cpp, Ollama, a hosted gateway): their models join the composer's picker at the prices you set, and one can answer the
              local tier. You pay the provider directly; Arbor meters each call at your prices against members' quotas and bills none of it.
            </p>
            <ProvidersPanel projectId={projectId} />
          </Card>
          <Card>
            <h2 className="mb-1 text-base font-semibold">Hand over this project</h2>
            <p className="mb-4 text-sm text-zinc-600">Give this project to someone else by email. They become its owner and payer; you can stay on as an editor.</p>
            <HandoverPanel projectId={projectId} />
          </Card>
          <Card>
            <h2 className="mb-4 text-base font-semibold">Danger zone</h2>
            <DangerZone projectId={projectId} title={project.title} archived={project.status === "archived"} />
          </Card>
        </>
      ) : null}
    </div>
  );
}
