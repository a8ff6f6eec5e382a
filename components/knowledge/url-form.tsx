"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useRefreshKnowledge } from "./use-knowledge";

export function UrlForm({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const refresh = useRefreshKnowledge();
  const [url, setUrl] = useState("");
  const fetchUrl = useMutation(
    trpc.knowledge.fetchUrl.mutationOptions({
      onSuccess: () => {
        setUrl("");
        void refresh();
      },
    }),
  );
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        fetchUrl.mutate({ projectId, url });
      }}
    >
      <Field label="Web page or file link" type="url" placeholder="https://example.com/article" value={url} onChange={(e) => setUrl(e.target.value)} required />
      {fetchUrl.error ? <Alert tone="error">{fetchUrl.error.message}</Alert> : null}
      {fetchUrl.data?.duplicate ? <Alert tone="info">That link is already in the vault.</Alert> : null}
      <Button type="submit" disabled={fetchUrl.isPending}>
        {fetchUrl.isPending ? "Checking…" : "Fetch link"}
      </Button>
    </form>
  );
}
