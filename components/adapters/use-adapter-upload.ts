"use client";

import { useCallback, useRef, useState } from "react";
import { DefaultHttpStack, Upload } from "tus-js-client";
import { checksummingStack, sha256HexOfBlob } from "@/lib/tus-checksum";

export const UPLOAD_ENDPOINT = "/api/adapters/upload";
const CHUNK_BYTES = 8 * 1024 * 1024;

export type UploadState =
  | { phase: "idle" }
  | { phase: "hashing" }
  | { phase: "uploading" | "paused"; sent: number; total: number; rate: number | null; resumedFrom: number | null }
  | { phase: "done"; total: number; sha256: string }
  | { phase: "failed"; message: string };

export type UploadForm = { file: File; name: string; baseModel: string; servedName: string };

/** Our refusals come as `{ error: { message } }`; tus's and the network's as text. */
function explain(error: unknown): string {
  const body = (error as { originalResponse?: { getBody(): string } | null })?.originalResponse?.getBody?.();
  if (body) {
    try {
      const parsed = JSON.parse(body) as { error?: { message?: string } };
      if (parsed.error?.message) return parsed.error.message;
    } catch {
      return body.slice(0, 300);
    }
  }
  return "The connection to the server was lost. Press Resume to go on from where it stopped.";
}

/**
 * One adapter upload over tus: the file's SHA-256 first (the server compares
 * its own before accepting it), then 8 MiB chunks each with its own SHA-256.
 * tus-js-client remembers the upload URL per file (localStorage), so after a
 * reload choosing the same file resumes from the server's offset.
 */
export function useAdapterUpload({ projectId, onFinished }: { projectId: string; onFinished: () => void }) {
  const [state, setState] = useState<UploadState>({ phase: "idle" });
  const upload = useRef<Upload | null>(null);
  const samples = useRef<Array<{ at: number; sent: number }>>([]);

  const start = useCallback(
    async (form: UploadForm) => {
      setState({ phase: "hashing" });
      let sha256: string;
      try {
        sha256 = await sha256HexOfBlob(form.file);
      } catch {
        setState({ phase: "failed", message: "The browser could not read the file to compute its checksum. Choose it again." });
        return;
      }
      samples.current = [];
      // Set when resuming: the server's offset, known from the first progress report (offsets fall on chunk boundaries).
      let resuming = false;
      let resumedFrom: number | null = null;
      const tus = new Upload(form.file, {
        endpoint: UPLOAD_ENDPOINT,
        chunkSize: CHUNK_BYTES,
        retryDelays: [0, 1_000, 3_000, 5_000],
        removeFingerprintOnSuccess: true,
        httpStack: checksummingStack(new DefaultHttpStack({})),
        metadata: { projectId, filename: form.file.name, name: form.name, baseModel: form.baseModel, sha256, ...(form.servedName ? { servedName: form.servedName } : {}) },
        // A refusal (quota, duplicate, not allowed) will not change on retry; a dropped connection or a damaged chunk may.
        onShouldRetry: (error) => {
          const status = error.originalResponse?.getStatus() ?? 0;
          return status === 0 || status === 460 || status === 409 || status >= 500;
        },
        onProgress: (sent, total) => {
          if (resuming && resumedFrom === null) resumedFrom = Math.floor(sent / CHUNK_BYTES) * CHUNK_BYTES;
          const now = performance.now();
          samples.current.push({ at: now, sent });
          samples.current = samples.current.filter((s) => now - s.at < 5_000);
          const first = samples.current[0];
          const rate = first && now - first.at > 300 ? ((sent - first.sent) / (now - first.at)) * 1000 : null;
          setState({ phase: "uploading", sent, total, rate, resumedFrom });
        },
        onSuccess: () => {
          setState({ phase: "done", total: form.file.size, sha256 });
          upload.current = null;
          onFinished();
        },
        onError: (error) => {
          setState({ phase: "failed", message: explain(error) });
          onFinished();
        },
      });
      upload.current = tus;
      const previous = await tus.findPreviousUploads();
      const same = previous.find((p) => p.metadata.projectId === projectId && p.metadata.sha256 === sha256);
      if (same) {
        tus.resumeFromPreviousUpload(same);
        resuming = true;
      }
      setState({ phase: "uploading", sent: 0, total: form.file.size, rate: null, resumedFrom: null });
      // The registry shows the new row ("uploading") as soon as the server has it.
      tus.options.onUploadUrlAvailable = () => onFinished();
      tus.start();
    },
    [projectId, onFinished],
  );

  const pause = useCallback(() => {
    const tus = upload.current;
    if (!tus) return;
    void tus.abort(false);
    setState((s) => (s.phase === "uploading" ? { ...s, phase: "paused", rate: null } : s));
  }, []);

  const resume = useCallback(() => {
    const tus = upload.current;
    if (!tus) return;
    samples.current = [];
    setState((s) => (s.phase === "paused" ? { ...s, phase: "uploading" } : s));
    tus.start();
  }, []);

  const cancel = useCallback(async () => {
    const tus = upload.current;
    upload.current = null;
    setState({ phase: "idle" });
    // Terminate: the server discards the bytes and gives the storage back.
    try {
      if (tus) await tus.abort(true);
    } catch {
      setState({ phase: "failed", message: "Cancelling did not reach the server; the unfinished upload is cleaned up within a day." });
    }
    onFinished();
  }, [onFinished]);

  return { state, start, pause, resume, cancel };
}
