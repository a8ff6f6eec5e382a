"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

export function CreateProjectForm({ autoFocus = false }: { autoFocus?: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState("");
  const create = useMutation(
    trpc.projects.create.mutationOptions({
      onSuccess: async (project) => {
        await queryClient.invalidateQueries({ queryKey: trpc.projects.list.queryKey() });
        router.push(`/projects/${project.id}`);
        router.refresh();
      },
    }),
  );
  return (
    <form
      className="flex flex-col gap-3 sm:flex-row sm:items-end"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ title });
      }}
    >
      <div className="flex-1">
        <Field label="Project name" name="title" value={title} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. Thesis research" autoFocus={autoFocus} required maxLength={120} />
      </div>
      <Button type="submit" disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create project"}
      </Button>
      {create.error ? (
        <div className="sm:basis-full">
          <Alert tone="error">{create.error.message}</Alert>
        </div>
      ) : null}
    </form>
  );
}
