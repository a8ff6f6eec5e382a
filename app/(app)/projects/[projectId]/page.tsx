import Link from "next/link";
import { ActivityFeed } from "@/components/collab/activity-feed";
import { Card } from "@/components/ui/card";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export default async function ProjectOverviewPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const api = await getServerCaller();
  const { project, role } = await loadOrNotFound(() => api.projects.get({ projectId }));
  const base = `/projects/${projectId}`;
  const steps = [
    { href: `${base}/knowledge`, title: "Fill the knowledge vault", text: "Upload documents, paste notes or fetch a page. Answers cite them." },
    { href: `${base}/chat`, title: "Start a chat", text: "Ask anything. Fork from any message and keep every alternative." },
    { href: `${base}/canvas`, title: "See the whole tree", text: "Every branch, the sources it cited and the comments on one board." },
    { href: `${base}/members`, title: "Invite collaborators", text: "Share by link with a role and a spending quota." },
  ];
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <div className="space-y-4 lg:col-span-2">
        {project.description ? <p className="text-zinc-700">{project.description}</p> : null}
        <ul className="grid gap-3 sm:grid-cols-2">
          {steps.map((s) => (
            <li key={s.href}>
              <Link href={s.href} className="block h-full rounded-lg border border-zinc-200 bg-white p-4 shadow-sm hover:border-emerald-400">
                <span className="font-medium text-zinc-900">{s.title}</span>
                <p className="mt-1 text-sm text-zinc-600">{s.text}</p>
              </Link>
            </li>
          ))}
        </ul>
      </div>
      <Card>
        <h2 className="text-base font-semibold">Activity</h2>
        <p className="mb-3 mt-1 text-sm text-zinc-600">You are {role === "owner" ? "the owner" : `a ${role}`} of this project.</p>
        <ActivityFeed projectId={projectId} />
      </Card>
    </div>
  );
}
