import Link from "next/link";
import { ProjectIcon } from "@/components/projects/project-icon";
import { ProjectTabs } from "@/components/projects/project-tabs";
import { Badge, ROLE_TONE } from "@/components/ui/badge";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export default async function ProjectLayout({ children, params }: { children: React.ReactNode; params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  const { project, role } = await loadOrNotFound(() => api.projects.get({ projectId }));
  return (
    <div>
      <div className="border-b border-zinc-200 bg-white">
        <div className="mx-auto max-w-7xl px-4 pt-4">
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <Link href="/dashboard" className="text-sm text-zinc-500 hover:text-zinc-800">
              Projects
            </Link>
            <span aria-hidden className="text-zinc-300">
              /
            </span>
            <h1 className="text-lg font-semibold text-zinc-900">
              <ProjectIcon icon={project.icon} title={project.title} className="mr-1.5" />
              {project.title}
            </h1>
            <Badge tone={ROLE_TONE[role]}>{role}</Badge>
            {project.status === "archived" ? <Badge tone="amber">archived</Badge> : null}
          </div>
          <div className="mt-3">
            <ProjectTabs projectId={projectId} />
          </div>
        </div>
      </div>
      <div className="mx-auto max-w-7xl px-4 py-6">{children}</div>
    </div>
  );
}
