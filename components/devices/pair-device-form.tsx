"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** Two steps: the code (checked, counting wrong guesses), then the device's name and projects. */
export function PairDeviceForm({ initialCode, projects }: { initialCode: string; projects: Array<{ id: string; title: string }> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [code, setCode] = useState(initialCode);
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const lookUp = useMutation(
    trpc.devices.lookUpPairing.mutationOptions({
      onSuccess: (found) => setName(found.suggestedName ?? ""),
    }),
  );
  const approve = useMutation(trpc.devices.approvePairing.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.devices.list.queryKey() }) }));
  const deny = useMutation(trpc.devices.denyPairing.mutationOptions());
  const found = lookUp.data;

  if (approve.data) {
    return (
      <div className="space-y-3" role="status">
        <p className="text-sm text-zinc-800">
          <strong>{approve.data.name}</strong> is paired. The agent on the device picks up its token within a few seconds; then run{" "}
          <code className="rounded bg-zinc-100 px-1">npx tsx scripts/arbor-device.ts run</code> there.
        </p>
        <Link href="/devices" className="text-sm font-medium text-emerald-700 hover:underline">
          Go to your devices
        </Link>
      </div>
    );
  }
  if (deny.data) {
    return (
      <p className="text-sm text-zinc-800" role="status">
        Declined. The device was told no and gets no access.
      </p>
    );
  }
  if (!found) {
    return (
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          lookUp.mutate({ userCode: code });
        }}
      >
        <Field label="Device code" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" autoCapitalize="characters" spellCheck={false} required placeholder="BCDF-GHJK" />
        {lookUp.error ? <Alert tone="error">{lookUp.error.message}</Alert> : null}
        <Button type="submit" disabled={lookUp.isPending}>
          Continue
        </Button>
      </form>
    );
  }
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        approve.mutate({ userCode: code, name, projectIds: chosen });
      }}
    >
      <p className="text-sm text-zinc-700">
        Code <code className="font-semibold">{found.userCode}</code>
        {found.modelServer ? (
          <>
            {" "}
            — the device reports the model server <code>{found.modelServer}</code>
          </>
        ) : null}
        .
      </p>
      <Field label="Device name" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required hint="How it appears on your Devices page, e.g. “Study GPU box”." />
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium text-zinc-800">Projects it may answer in</legend>
        {projects.length === 0 ? (
          <p className="text-sm text-zinc-600">You have no projects you can chat in yet. You can pair now and choose projects later.</p>
        ) : (
          projects.map((p) => (
            <label key={p.id} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={chosen.includes(p.id)} onChange={(e) => setChosen(e.target.checked ? [...chosen, p.id] : chosen.filter((x) => x !== p.id))} />
              {p.title}
            </label>
          ))
        )}
      </fieldset>
      {approve.error ? <Alert tone="error">{approve.error.message}</Alert> : null}
      {deny.error ? <Alert tone="error">{deny.error.message}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={approve.isPending}>
          Pair device
        </Button>
        <Button variant="secondary" onClick={() => deny.mutate({ userCode: code })} disabled={deny.isPending}>
          Decline
        </Button>
      </div>
    </form>
  );
}
