"use client";

import { useState } from "react";
import { useTRPCClient } from "@/components/providers/trpc";
import { buttonClass } from "@/components/ui/button";

function download(filename: string, body: string, type: string) {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

function slug(title: string) {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "chat"
  );
}

export function ExportButtons({ projectId, chatId, branchId, chatTitle }: { projectId: string; chatId: string; branchId: string | null; chatTitle: string }) {
  const client = useTRPCClient();
  const [pending, setPending] = useState<"md" | "json" | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(kind: "md" | "json") {
    setPending(kind);
    setError(null);
    try {
      if (kind === "md") {
        if (!branchId) return;
        const markdown = await client.chat.exportMarkdown.query({ projectId, chatId, branchId });
        download(`${slug(chatTitle)}.md`, markdown, "text/markdown;charset=utf-8");
      } else {
        const tree = await client.chat.exportTree.query({ projectId, chatId });
        download(`${slug(chatTitle)}-tree.json`, JSON.stringify(tree, (_key, value) => (typeof value === "bigint" ? value.toString() : value), 2), "application/json");
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : "The export failed. Please try again.");
    } finally {
      setPending(null);
    }
  }

  return (
    <div className="flex flex-wrap items-center gap-1.5">
      <button type="button" onClick={() => run("md")} disabled={pending !== null || !branchId} className={buttonClass("ghost", "px-2.5 py-1.5 text-xs")}>
        {pending === "md" ? "Exporting…" : "Export branch (Markdown)"}
      </button>
      <button type="button" onClick={() => run("json")} disabled={pending !== null} className={buttonClass("ghost", "px-2.5 py-1.5 text-xs")}>
        {pending === "json" ? "Exporting…" : "Export tree (JSON)"}
      </button>
      {error ? (
        <p role="alert" className="w-full text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
