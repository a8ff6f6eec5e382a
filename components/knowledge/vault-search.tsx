"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { viewerHref } from "./source-display";

export function VaultSearch({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState("");
  const [query, setQuery] = useState("");
  const search = useQuery({ ...trpc.knowledge.search.queryOptions({ projectId, query }), enabled: query.trim().length > 0 });
  return (
    <section aria-labelledby="vault-search-heading">
      <h2 id="vault-search-heading" className="text-sm font-semibold text-zinc-900">
        Search the vault
      </h2>
      <search>
        <form
          className="mt-2 flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(draft.trim());
          }}
        >
          <label htmlFor="vault-search" className="sr-only">
            Search the vault
          </label>
          <input id="vault-search" type="search" className={inputClass} placeholder="e.g. pruning in winter, or &quot;exact phrase&quot;" value={draft} onChange={(e) => setDraft(e.target.value)} />
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
      </search>
      {search.error ? <Alert tone="error">{search.error.message}</Alert> : null}
      {query && search.data ? (
        search.data.length === 0 ? (
          <p className="mt-3 text-sm text-zinc-600">Nothing in the vault matches “{query}”. Try other words, or add a source about it.</p>
        ) : (
          <ol className="mt-3 space-y-2" aria-label="Search results">
            {search.data.map((hit) => (
              <li key={hit.chunkId} className="rounded-md border border-zinc-200 bg-white px-3 py-2">
                <div className="flex items-baseline justify-between gap-2">
                  <Link href={viewerHref(projectId, hit.sourceId, hit.chunkId)} scroll={false} className="text-sm font-medium text-emerald-800 hover:underline">
                    {hit.sourceTitle}
                    {hit.heading ? <span className="font-normal text-zinc-500"> — {hit.heading}</span> : null}
                  </Link>
                  <span className="shrink-0 text-xs text-zinc-500" title="Relevance (0–100)">
                    {Math.round(hit.relevance * 100)}%
                  </span>
                </div>
                {/* snippet pieces have no identity beyond their position, so the index is their key */}
                <p className="mt-1 text-sm text-zinc-700">
                  {hit.snippet.map((part, i) =>
                    part.highlight ? (
                      <mark key={i} className="rounded bg-amber-100 px-0.5 text-zinc-900">
                        {part.text}
                      </mark>
                    ) : (
                      <span key={i}>{part.text}</span>
                    ),
                  )}
                </p>
              </li>
            ))}
          </ol>
        )
      ) : null}
    </section>
  );
}
