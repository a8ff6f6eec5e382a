"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { TRPCReactProvider, useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/errors";

/** Accept on /invite/<token>; then open the project. (A handover asks more first: handover-accept-form.tsx.) */
export function AcceptButton(props: { kind: "invite"; token: string }) {
  return (
    <TRPCReactProvider>
      <Accept {...props} />
    </TRPCReactProvider>
  );
}

function Accept({ token }: { kind: "invite"; token: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const mutation = useMutation(trpc.collab.acceptInvite.mutationOptions({ onSuccess: (result) => router.push(`/projects/${result.projectId}`) }));
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
