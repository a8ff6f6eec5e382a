"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { messageHref, searchPageHref } from "./links";
import { Snippet, WhereItLives } from "./snippet";
import { LocalTime } from "@/components/providers/display";

const LIMIT = 50;

/** The search page's form and ranked results; each result opens the message in its branch. */
export function MessageSearch({ projects, initialQuery, initialProjectId }: { projects: { id: string; title: string }[]; initialQuery: string; initialProjectId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [draft, setDraft] = useState(initialQuery);
  const [scope, setScope] = useState(initialProjectId);
  const [query, setQuery] = useState(initialQuery.trim());
  const [projectId, setProjectId] = useState(initialProjectId);
  const enabled = query.length > 0;
  const inProject = useQuery({ ...trpc.search.projectMessages.queryOptions({ projectId, query, limit: LIMIT }), enabled: enabled && projectId !== "" });
  const everywhere = useQuery({ ...trpc.search.everywhereMessages.queryOptions({ query, limit: LIMIT }), enabled: enabled && projectId === "" });
  const results = projectId ? inProject : everywhere;
  return (
    <div className="mt-6 space-y-4">
      <search>
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            const next = draft.trim();
            setQuery(next);
            setProjectId(scope);
            router.replace(searchPageHref(next, scope || null));
          }}
        >
          <div className="min-w-64 flex-1">
            <label htmlFor="message-search" className="block text-sm font-medium text-zinc-800">
              Search for
            </label>
            <input id="message-search" type="search" className={inputClass} value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="e.g. aphids, or &quot;exact phrase&quot;" />
          </div>
          <div>
            <label htmlFor="message-search-scope" className="block text-sm font-medium text-zinc-800">
              Search in
            </label>
            <select id="message-search-scope" className={inputClass} value={scope} onChange={(e) => setScope(e.target.value)}>
              <option value="">All my projects</option>
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.title}
                </option>
              ))}
            </select>
          </div>
          <Button type="submit">Search</Button>
        </form>
      </search>
      {results.error ? <Alert tone="error">{results.error.message}</Alert> : null}
      {enabled && results.isPending ? <p className="text-sm text-zinc-500">Searching…</p> : null}
      {enabled && results.data ? (
        results.data.length === 0 ? (
          <p className="text-sm text-zinc-600">No message matches “{query}”. Try fewer or other words.</p>
        ) : (
          <ol className="space-y-2" aria-label="Search results">
            {results.data.map((hit) => (
              <li key={hit.messageId}>
                <Link href={messageHref(hit)} className="block rounded-md border border-zinc-200 bg-white px-3 py-2 hover:border-emerald-600">
                  <span className="flex items-baseline justify-between gap-2">
                    <WhereItLives chatTitle={hit.chatTitle} branchPath={hit.branchPath} projectTitle={projectId ? undefined : hit.projectTitle} />
                    <span className="shrink-0 text-xs text-zinc-500">
                      {hit.role === "user" ? "Question" : "Answer"} · <LocalTime date={hit.createdAt} style="date" />
                    </span>
                  </span>
                  <span className="mt-1 block text-sm text-zinc-800">
                    <Snippet parts={hit.snippet} />
                  </span>
                  {hit.chatSummary ? <span className="mt-1 block truncate text-xs text-zinc-500">About this chat: {hit.chatSummary}</span> : null}
                </Link>
              </li>
            ))}
          </ol>
        )
      ) : null}
    </div>
  );
}
