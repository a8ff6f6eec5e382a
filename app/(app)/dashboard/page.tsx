import { ProjectIcon } from "@/components/projects/project-icon";
import Link from "next/link";
import { CreateProjectForm } from "@/components/projects/create-project-form";
import { Badge, ROLE_TONE } from "@/components/ui/badge";
import { Card, EmptyState } from "@/components/ui/card";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Projects · Arbor" };

export default async function DashboardPage() {
  const api = await getServerCaller();
  const projects = await loadOrNotFound(() => api.projects.list());
  const mine = projects.filter((p) => p.role === "owner");
  const shared = projects.filter((p) => p.role !== "owner");
  return (
    <main className="mx-auto max-w-5xl space-y-8 px-4 py-8">
      <div>
        <h1 className="text-2xl font-semibold">Projects</h1>
        <p className="mt-1 text-sm text-zinc-600">Each project has its own chats, knowledge vault, canvas and collaborators.</p>
      </div>
      <Card>
        <h2 className="mb-3 text-sm font-semibold text-zinc-800">New project</h2>
        <CreateProjectForm autoFocus={projects.length === 0} />
      </Card>
      <section aria-labelledby="my-projects" className="space-y-3">
        <h2 id="my-projects" className="text-lg font-semibold">
          My projects
        </h2>
        {mine.length ? (
          <ProjectGrid projects={mine} />
        ) : (
          <EmptyState title="No projects yet">Name your first project above — then add knowledge to its vault and start a chat.</EmptyState>
        )}
      </section>
      <section aria-labelledby="shared-projects" className="space-y-3">
        <h2 id="shared-projects" className="text-lg font-semibold">
          Shared with me
        </h2>
        {shared.length ? (
          <ProjectGrid projects={shared} />
        ) : (
          <EmptyState title="Nothing shared with you yet">When someone invites you to a project, open their invite link and it will show up here.</EmptyState>
        )}
      </section>
    </main>
  );
}

function ProjectGrid({ projects }: { projects: Awaited<ReturnType<Awaited<ReturnType<typeof getServerCaller>>["projects"]["list"]>> }) {
  return (
    <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
      {projects.map((p) => (
        <li key={p.id}>
          <Link
            href={`/projects/${p.id}`}
            className="block h-full rounded-lg border border-zinc-200 bg-white p-4 shadow-sm transition hover:border-emerald-400 hover:shadow"
          >
            <div className="flex items-start justify-between gap-2">
              <span className="font-medium text-zinc-900">
                <ProjectIcon icon={p.icon} title={p.title} className="mr-1.5" />
                {p.title}
              </span>
              <span className="flex shrink-0 items-center gap-1.5">
                {p.unreadActivity > 0 ? (
                  <span className="rounded-full bg-emerald-600 px-2 py-0.5 text-xs font-semibold text-white" title="Activity by others since you last looked">
                    {p.unreadActivity > 99 ? "99+" : p.unreadActivity} unread
                  </span>
                ) : null}
                <Badge tone={ROLE_TONE[p.role]}>{p.role}</Badge>
              </span>
            </div>
            {p.description ? <p className="mt-1 line-clamp-2 text-sm text-zinc-600">{p.description}</p> : null}
            <p className="mt-3 text-xs text-zinc-500">
              {p.status === "archived" ? "Archived · " : ""}
              {p.role === "owner" ? "Owned by you" : `Owned by ${p.ownerEmail}`}
            </p>
          </Link>
        </li>
      ))}
    </ul>
  );
}
