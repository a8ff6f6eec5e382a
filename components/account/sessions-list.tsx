"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { LocalTime } from "@/components/providers/display";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";

/** The account's signed-in sessions: which browser, from where, since when; end one or all the others. */
export function SessionsList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.accountSecurity.sessions.queryOptions());
  const router = useRouter();
  const refresh = () => {
    // the security log is server-rendered
    router.refresh();
    return queryClient.invalidateQueries({ queryKey: trpc.accountSecurity.sessions.queryKey() });
  };
  const end = useMutation(trpc.accountSecurity.endSession.mutationOptions({ onSuccess: refresh }));
  const endOthers = useMutation(trpc.accountSecurity.endOtherSessions.mutationOptions({ onSuccess: refresh }));
  const sessions = list.data ?? [];
  const others = sessions.filter((s) => !s.current).length;

  if (list.isPending) return <p className="text-sm text-zinc-600">Loading your sessions…</p>;
  if (list.isError) return <Alert tone="error">{list.error.message}</Alert>;
  return (
    <div className="space-y-3">
      {end.error ? <Alert tone="error">{end.error.message}</Alert> : null}
      {endOthers.error ? <Alert tone="error">{endOthers.error.message}</Alert> : null}
      {endOthers.data ? <Alert tone="success">{endOthers.data.ended === 1 ? "1 other session was signed out." : `${endOthers.data.ended} other sessions were signed out.`}</Alert> : null}
      <ul className="divide-y divide-zinc-100 text-sm" aria-label="Signed-in sessions">
        {sessions.map((s) => (
          <li key={s.id} className="flex items-start justify-between gap-4 py-3" aria-label={`${s.browser} on ${s.system}${s.current ? " (this one)" : ""}`}>
            <div className="space-y-0.5">
              <p className="font-medium text-zinc-900">
                {s.browser} on {s.system} {s.current ? <Badge tone="emerald">This one</Badge> : null}
              </p>
              <p className="text-zinc-600">
                Network {s.address} · signed in {s.createdAt ? <LocalTime date={s.createdAt} /> : "—"} · last seen {s.lastSeenAt ? <LocalTime date={s.lastSeenAt} /> : "—"}
              </p>
            </div>
            {s.current ? null : (
              <Button variant="secondary" disabled={end.isPending} onClick={() => end.mutate({ sessionId: s.id })} aria-label={`End session: ${s.browser} on ${s.system}`}>
                End session
              </Button>
            )}
          </li>
        ))}
      </ul>
      {others > 0 ? (
        <Button variant="secondary" disabled={endOthers.isPending} onClick={() => endOthers.mutate()}>
          End all other sessions
        </Button>
      ) : (
        <p className="text-sm text-zinc-600">This is your only signed-in session. Sessions on your other browsers and devices appear here, and you can end them from here.</p>
      )}
    </div>
  );
}
