import { PairDeviceForm } from "@/components/devices/pair-device-form";
import { Card } from "@/components/ui/card";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Pair a device · Arbor" };

/** /devices/pair: the verification URI of RFC 8628 — the person confirms the code their device shows. */
export default async function PairDevicePage({ searchParams }: { searchParams: Promise<{ code?: string }> }) {
  const { code } = await searchParams;
  const api = await getServerCaller();
  const projects = await api.projects.list();
  const chatProjects = projects.filter((p) => p.status === "active" && (p.role === "owner" || p.role === "editor")).map((p) => ({ id: p.id, title: p.title }));
  return (
    <main className="mx-auto max-w-xl space-y-6 px-4 py-8">
      <h1 className="text-2xl font-semibold">Pair a device</h1>
      <Card>
        <p className="mb-4 text-sm text-zinc-600">
          On your machine, run <code className="rounded bg-zinc-100 px-1">npx tsx scripts/arbor-device.ts pair --url …</code>. It shows a code such as{" "}
          <code className="rounded bg-zinc-100 px-1">BCDF-GHJK</code>; enter it here. Only pair machines you own: the device will answer questions in the projects you choose.
        </p>
        <PairDeviceForm initialCode={typeof code === "string" ? code.slice(0, 20) : ""} projects={chatProjects} />
      </Card>
    </main>
  );
}
