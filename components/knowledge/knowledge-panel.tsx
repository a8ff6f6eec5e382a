"use client";

import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Card, EmptyState } from "@/components/ui/card";
import { formatBytes } from "@/lib/bytes";
import { PasteForm } from "./paste-form";
import { SourceList } from "./source-list";
import { SourceViewer } from "./source-viewer";
import { UploadDropzone } from "./upload-dropzone";
import { UrlForm } from "./url-form";
import { VaultSearch } from "./vault-search";

export function KnowledgePanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const params = useSearchParams();
  const sourceId = params.get("source");
  const chunkId = params.get("chunk");
  const list = useQuery({
    ...trpc.knowledge.list.queryOptions({ projectId }),
    // Poll while anything is still being read, so statuses flip to ready/failed on their own.
    refetchInterval: (query) => (query.state.data?.sources.some((s) => s.status === "processing") ? 1_500 : false),
  });
  const data = list.data;
  if (list.error) return <Alert tone="error">{list.error.message}</Alert>;
  if (!data) return <p className="text-sm text-zinc-500">Loading the vault…</p>;
  const { storage } = data;
  const share = storage.quotaBytes > 0 ? Math.min(1, storage.usedBytes / storage.quotaBytes) : 1;

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.15fr)]">
      <div className="space-y-6">
        <div>
          <div className="flex items-baseline justify-between text-sm">
            <span className="font-medium text-zinc-900">Storage</span>
            <span className="text-zinc-600" data-testid="storage-used">
              {formatBytes(storage.usedBytes)} of {formatBytes(storage.quotaBytes)} used
            </span>
          </div>
          <progress className="mt-1 h-2 w-full overflow-hidden rounded [&::-webkit-progress-bar]:bg-zinc-200 [&::-webkit-progress-value]:bg-emerald-600" max={1} value={share} aria-label="Storage used" />
        </div>

        {data.canEdit ? (
          <Card className="space-y-5">
            <h2 className="text-sm font-semibold text-zinc-900">Add to the vault</h2>
            <UploadDropzone projectId={projectId} fileCapBytes={storage.fileCapBytes} />
            <details className="group">
              <summary className="cursor-pointer text-sm font-medium text-zinc-800">Paste text</summary>
              <div className="mt-3">
                <PasteForm projectId={projectId} />
              </div>
            </details>
            <details className="group">
              <summary className="cursor-pointer text-sm font-medium text-zinc-800">Fetch a web page</summary>
              <div className="mt-3">
                <UrlForm projectId={projectId} />
              </div>
            </details>
          </Card>
        ) : (
          <Alert tone="info">You can read and search the vault. Editors and owners add and delete sources.</Alert>
        )}

        <VaultSearch projectId={projectId} />

        <section aria-labelledby="sources-heading">
          <h2 id="sources-heading" className="mb-2 text-sm font-semibold text-zinc-900">
            Sources ({data.sources.length})
          </h2>
          {data.sources.length === 0 ? (
            <EmptyState title="The vault is empty">
              {data.canEdit
                ? "Upload documents, paste notes or fetch a web page. Answers in chat will cite them."
                : "Nobody has added sources yet. Ask an editor to add documents."}
            </EmptyState>
          ) : (
            <SourceList projectId={projectId} sources={data.sources} canEdit={data.canEdit} selectedId={sourceId} />
          )}
        </section>
      </div>
      <div className="lg:sticky lg:top-4 lg:self-start">
        {sourceId ? (
          <SourceViewer key={sourceId} projectId={projectId} sourceId={sourceId} chunkId={chunkId} />
        ) : (
          <div className="hidden rounded-lg border border-dashed border-zinc-300 px-6 py-10 text-center text-sm text-zinc-500 lg:block">
            Open a source or a search result to read it here.
          </div>
        )}
      </div>
    </div>
  );
}
