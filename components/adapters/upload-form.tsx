"use client";

import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { formatBytes } from "@/lib/bytes";
import { useAdapterUpload } from "./use-adapter-upload";

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds % 60)} s`;
}

/** What the registry says of an uploaded file, found by its SHA-256 (the registry's key for "the same bytes"). */
type RegistryEntry = { sha256: string; status: "uploading" | "processing" | "ready" | "error"; error: string | null };

/** After the last byte: what the registry says now, not what it said when the upload ended. */
function finishedMessage(total: number, entry: RegistryEntry | undefined): { tone: "success" | "error"; text: string } {
  const size = formatBytes(total);
  if (entry?.status === "ready") return { tone: "success", text: `Uploaded ${size}. Verified: it is ready in the registry below.` };
  if (entry?.status === "error") return { tone: "error", text: `Uploaded ${size}, but the server did not accept it: ${entry.error ?? "it is not a usable LoRA adapter."}` };
  return { tone: "success", text: `Uploaded ${size}. The server is verifying it now.` };
}

/** Upload a LoRA: the file, what it is, and a progress bar with bytes, rate and time left; pause, resume, cancel. */
export function AdapterUploadForm({ projectId, onChanged, registry }: { projectId: string; onChanged: () => void; registry: RegistryEntry[] }) {
  const { state, start, pause, resume, cancel } = useAdapterUpload({ projectId, onFinished: onChanged });
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [baseModel, setBaseModel] = useState("");
  const [servedName, setServedName] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  // Remounts the file input: a file input's value cannot be set back to a chosen file, only cleared.
  const [fileInputKey, setFileInputKey] = useState(0);
  const busy = state.phase === "hashing" || state.phase === "uploading" || state.phase === "paused";

  // Once the last byte is in, the form is ready for the next adapter: nothing of the one just sent stays filled in.
  useEffect(() => {
    if (state.phase !== "done") return;
    setFile(null);
    setName("");
    setBaseModel("");
    setServedName("");
    setFileInputKey((k) => k + 1);
  }, [state.phase]);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return setProblem("Choose the adapter file first.");
    if (!baseModel.trim()) return setProblem("Say which base model the adapter was trained for.");
    setProblem(null);
    void start({ file, name: name.trim() || file.name.replace(/\.(safetensors|zip)$/i, ""), baseModel: baseModel.trim(), servedName: servedName.trim() });
  };

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Upload an adapter">
      <div className="space-y-1">
        <label htmlFor="adapter-file" className="block text-sm font-medium text-zinc-800">
          Adapter file
        </label>
        <input
          key={fileInputKey}
          id="adapter-file"
          type="file"
          accept=".safetensors,.zip"
          disabled={busy}
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          className="block w-full text-sm text-zinc-700 file:mr-3 file:rounded-md file:border file:border-zinc-300 file:bg-white file:px-3 file:py-1.5 file:text-sm"
          aria-describedby="adapter-file-hint"
        />
        <p id="adapter-file-hint" className="text-xs text-zinc-500">
          A LoRA as .safetensors (adapter_model.safetensors), or the adapter folder as .zip with adapter_config.json. To resume an interrupted upload, choose the same file again.
        </p>
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Support tone" disabled={busy} maxLength={200} />
        <Field label="Base model" value={baseModel} onChange={(e) => setBaseModel(e.target.value)} placeholder="meta-llama/Llama-3.1-8B-Instruct" disabled={busy} maxLength={200} />
      </div>
      <Field
        label="Served name (optional)"
        hint="The model name your local server (vLLM --lora-modules, llama.cpp) serves this adapter under. Defaults to the name, lower-cased."
        value={servedName}
        onChange={(e) => setServedName(e.target.value)}
        disabled={busy}
        maxLength={120}
      />
      {problem ? <Alert tone="error">{problem}</Alert> : null}
      {state.phase === "failed" ? <Alert tone="error">{state.message}</Alert> : null}
      {state.phase === "done"
        ? (() => {
            const message = finishedMessage(
              state.total,
              registry.find((a) => a.sha256 === state.sha256),
            );
            return <Alert tone={message.tone}>{message.text}</Alert>;
          })()
        : null}

      {state.phase === "hashing" ? <p className="text-sm text-zinc-600">Computing the file's SHA-256…</p> : null}
      {state.phase === "uploading" || state.phase === "paused" ? (
        <div className="space-y-1" data-testid="upload-progress">
          <progress className="h-2 w-full overflow-hidden rounded [&::-webkit-progress-bar]:bg-zinc-200 [&::-webkit-progress-value]:bg-emerald-600" max={state.total} value={state.sent} aria-label="Upload progress" />
          <p className="text-sm text-zinc-700" aria-live="polite">
            {formatBytes(state.sent)} of {formatBytes(state.total)}
            {state.phase === "paused"
              ? " · paused"
              : state.rate
                ? ` · ${formatBytes(Math.round(state.rate))}/s · ${formatDuration((state.total - state.sent) / state.rate)} left`
                : " · starting…"}
            {state.resumedFrom !== null ? ` · resumed at ${formatBytes(state.resumedFrom)}` : ""}
          </p>
        </div>
      ) : null}

      <div className="flex flex-wrap gap-2">
        {!busy ? <Button type="submit">Upload adapter</Button> : null}
        {state.phase === "uploading" ? (
          <Button variant="secondary" onClick={pause}>
            Pause
          </Button>
        ) : null}
        {state.phase === "paused" ? <Button onClick={resume}>Resume</Button> : null}
        {state.phase === "uploading" || state.phase === "paused" ? (
          <Button variant="ghost" onClick={() => void cancel()}>
            Cancel upload
          </Button>
        ) : null}
      </div>
    </form>
  );
}
