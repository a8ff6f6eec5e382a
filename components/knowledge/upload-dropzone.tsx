"use client";

import { useId, useRef, useState } from "react";
import { formatBytes } from "@/lib/bytes";
import { ACCEPT } from "./source-display";
import { useRefreshKnowledge } from "./use-knowledge";

type Upload = { key: string; name: string; size: number; loaded: number; state: "uploading" | "done" | "duplicate" | "error"; message?: string };

type UploadResponse = { results?: { name: string; sourceId?: string; duplicate?: boolean; error?: { message: string } }[]; error?: { message: string } };

/** Drop or choose several files; each goes up in its own request so each has its own progress bar. */
export function UploadDropzone({ projectId, fileCapBytes }: { projectId: string; fileCapBytes: number }) {
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const refresh = useRefreshKnowledge();

  const update = (key: string, patch: Partial<Upload>) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...patch } : u)));

  const send = (file: File) => {
    const key = `${file.name}-${file.size}-${Math.random().toString(36).slice(2)}`;
    setUploads((all) => [{ key, name: file.name, size: file.size, loaded: 0, state: "uploading" }, ...all]);
    if (file.size > fileCapBytes) {
      update(key, { state: "error", message: `${formatBytes(file.size)} is over the ${formatBytes(fileCapBytes)} limit per file.` });
      return;
    }
    const form = new FormData();
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/knowledge/upload?projectId=${encodeURIComponent(projectId)}`);
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) update(key, { loaded: Math.min(file.size, Math.round((event.loaded / event.total) * file.size)) });
    };
    xhr.onerror = () => update(key, { state: "error", message: "The upload was interrupted. Check your connection and try again." });
    xhr.onload = () => {
      const body = (xhr.response ?? {}) as UploadResponse;
      const result = body.results?.[0];
      if (xhr.status >= 400 || !result || result.error) {
        update(key, { state: "error", message: result?.error?.message ?? body.error?.message ?? `Upload failed (${xhr.status}).` });
      } else {
        update(key, { state: result.duplicate ? "duplicate" : "done", loaded: file.size });
      }
      void refresh();
    };
    xhr.send(form);
  };

  const sendAll = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) send(file);
    if (inputRef.current) inputRef.current.value = "";
  };

  return (
    <div>
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          sendAll(e.dataTransfer.files);
        }}
        className={`rounded-lg border-2 border-dashed px-4 py-6 text-center ${dragging ? "border-emerald-500 bg-emerald-50" : "border-zinc-300 bg-zinc-50"}`}
      >
        <p className="text-sm text-zinc-700">Drag files here, or</p>
        <label htmlFor={inputId} className="mt-2 inline-flex cursor-pointer rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-100 focus-within:ring-2 focus-within:ring-emerald-600">
          Choose files
        </label>
        <input id={inputId} ref={inputRef} type="file" multiple accept={ACCEPT} className="sr-only" onChange={(e) => sendAll(e.target.files)} />
        <p className="mt-2 text-xs text-zinc-500">.txt .md .html .pdf .docx .csv .json — up to {formatBytes(fileCapBytes)} each</p>
      </div>
      {uploads.length > 0 ? (
        <ul className="mt-3 space-y-2" aria-label="Uploads">
          {uploads.map((u) => (
            <li key={u.key} className="text-sm">
              <div className="flex justify-between gap-2">
                <span className="truncate text-zinc-800">{u.name}</span>
                <span className={u.state === "error" ? "text-red-700" : "text-zinc-500"}>
                  {u.state === "uploading" ? `${Math.round((u.loaded / Math.max(1, u.size)) * 100)}%` : u.state === "done" ? "uploaded" : u.state === "duplicate" ? "already in the vault" : "failed"}
                </span>
              </div>
              <progress
                className={`mt-1 h-1.5 w-full overflow-hidden rounded [&::-webkit-progress-bar]:bg-zinc-200 ${u.state === "error" ? "[&::-webkit-progress-value]:bg-red-500" : "[&::-webkit-progress-value]:bg-emerald-600"}`}
                max={Math.max(1, u.size)}
                value={u.state === "uploading" ? u.loaded : Math.max(1, u.size)}
                aria-label={`Upload progress for ${u.name}`}
              />
              {u.message ? (
                <p role="alert" className="mt-1 text-xs text-red-700">
                  {u.message}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
