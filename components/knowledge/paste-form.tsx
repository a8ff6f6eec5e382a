"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, TextAreaField } from "@/components/ui/field";
import { useRefreshKnowledge } from "./use-knowledge";

export function PasteForm({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const refresh = useRefreshKnowledge();
  const [title, setTitle] = useState("");
  const [text, setText] = useState("");
  const paste = useMutation(
    trpc.knowledge.paste.mutationOptions({
      onSuccess: () => {
        setTitle("");
        setText("");
        void refresh();
      },
    }),
  );
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        paste.mutate({ projectId, title, text });
      }}
    >
      <Field label="Note title" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
      <TextAreaField label="Note text" hint="Markdown headings (# …) give long notes structure." value={text} onChange={(e) => setText(e.target.value)} required rows={5} />
      {paste.error ? <Alert tone="error">{paste.error.message}</Alert> : null}
      {paste.data?.duplicate ? <Alert tone="info">That exact text is already in the vault.</Alert> : null}
      <Button type="submit" disabled={paste.isPending}>
        {paste.isPending ? "Adding…" : "Add note"}
      </Button>
    </form>
  );
}
