"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { TRPCReactProvider, useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/errors";

/** Accept on /invite/<token> or /handover/<token>; then open the project. */
export function AcceptButton(props: { kind: "invite" | "handover"; token: string }) {
  return (
    <TRPCReactProvider>
      <Accept {...props} />
    </TRPCReactProvider>
  );
}

function Accept({ kind, token }: { kind: "invite" | "handover"; token: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const options = { onSuccess: (result: { projectId: string }) => router.push(`/projects/${result.projectId}`) };
  const invite = useMutation(trpc.collab.acceptInvite.mutationOptions(options));
  const handover = useMutation(trpc.collab.acceptHandover.mutationOptions(options));
  const mutation = kind === "invite" ? invite : handover;
  const done = mutation.isSuccess;
  return (
    <div className="space-y-3">
      <Button onClick={() => mutation.mutate({ token })} disabled={mutation.isPending || done} className="w-full">
        {mutation.isPending ? "Accepting…" : done ? "Opening the project…" : "Accept"}
      </Button>
      {mutation.error ? <Alert tone="error">{errorMessage(mutation.error)}</Alert> : null}
    </div>
  );
}
