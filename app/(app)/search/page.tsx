import { MessageSearch } from "@/components/search/message-search";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Search · Arbor" };

const single = (value: string | string[] | undefined) => (typeof value === "string" ? value : "");

/** Search every message one can read; ?q= and ?project= keep the search in the address (back, reload, share). */
export default async function SearchPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await searchParams;
  const api = await getServerCaller();
  const projects = await api.projects.list();
  const requested = single(query.project);
  // Only one's own projects can be chosen; any other id falls back to all of them.
  const projectId = projects.some((p) => p.id === requested) ? requested : "";
  return (
    <main className="mx-auto max-w-4xl px-4 py-8">
      <h1 className="text-2xl font-semibold">Search messages</h1>
      <p className="mt-1 text-sm text-zinc-600">Every message of every branch you can read. Use quotes for a phrase, “or” for either word, and -word to leave a word out.</p>
      <MessageSearch projects={projects.map((p) => ({ id: p.id, title: p.title }))} initialQuery={single(query.q)} initialProjectId={projectId} />
    </main>
  );
}
