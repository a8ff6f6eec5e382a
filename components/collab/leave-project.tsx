"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/errors";

export function LeaveProject({ projectId, title }: { projectId: string; title: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const leave = useMutation(trpc.collab.leave.mutationOptions({ onSuccess: () => router.push("/dashboard") }));
  return (
    <div className="space-y-2">
      <p className="text-sm text-zinc-600">You lose access to “{title}” at once. The owner can invite you again.</p>
      <Button
        variant="danger"
        disabled={leave.isPending}
        onClick={() => {
          if (window.confirm(`Leave “${title}”?`)) leave.mutate({ projectId });
        }}
      >
        Leave project
      </Button>
      {leave.error ? <Alert tone="error">{errorMessage(leave.error)}</Alert> : null}
    </div>
  );
}
