"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { SelectField } from "@/components/ui/field";
import { errorMessage } from "@/lib/errors";

/**
 * The project's local tier on its settings page. The owner chooses one of
 * their own devices or an editor's device they allowed, and allows or revokes
 * editors' offers; an editor offers one of their own devices and can take the
 * offer back. The server checks all of it, again at every turn.
 */
export function ProjectLocalTier({ projectId, isOwner }: { projectId: string; isOwner: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mine = useQuery(trpc.devices.list.queryOptions());
  const offers = useQuery(trpc.devices.offers.queryOptions({ projectId }));
  const chosen = useQuery(trpc.devices.projectLocalDevice.queryOptions({ projectId }));
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.devices.pathKey() });
  const act = async (run: () => Promise<unknown>, done: string) => {
    setNotice(null);
    try {
      await run();
      setNotice({ tone: "success", text: done });
      await refresh();
    } catch (error) {
      setNotice({ tone: "error", text: errorMessage(error, "That did not work; try again.") });
    }
  };
  const setLocal = useMutation(trpc.devices.setProjectLocalDevice.mutationOptions());
  const offer = useMutation(trpc.devices.offer.mutationOptions());
  const withdraw = useMutation(trpc.devices.withdrawOffer.mutationOptions());
  const allow = useMutation(trpc.devices.allowOffer.mutationOptions());
  const revoke = useMutation(trpc.devices.revokeOffer.mutationOptions());
  const [choice, setChoice] = useState<string | null>(null);
  const [offered, setOffered] = useState("");

  const own = mine.data ?? [];
  const allowed = (offers.data ?? []).filter((o) => o.allowed);
  const current = choice ?? chosen.data ?? "";

  return (
    <div className="space-y-4">
      {isOwner ? (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            void act(() => setLocal.mutateAsync({ projectId, deviceId: current || null }), current ? "The local tier is now that device." : "The local tier is the server's again.");
          }}
        >
          <div className="min-w-64 flex-1">
            <SelectField<string>
              label="Local tier"
              value={current}
              options={[
                { value: "", label: "The server's local model (or the vault responder)" },
                ...own.map((d) => ({ value: d.id, label: `${d.name} (your device)` })),
                ...allowed.map((o) => ({ value: o.deviceId, label: `${o.deviceName} (${o.offeredByLabel}'s device)` })),
              ]}
              onChange={setChoice}
            />
          </div>
          <Button type="submit" disabled={setLocal.isPending}>
            Save local tier
          </Button>
        </form>
      ) : (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            if (!offered) return setNotice({ tone: "error", text: "Choose one of your devices first." });
            void act(() => offer.mutateAsync({ projectId, deviceId: offered }), "Offered. The owner decides whether it answers this project's local tier.");
          }}
        >
          <div className="min-w-64 flex-1">
            <SelectField<string>
              label="Your device to offer"
              value={offered}
              options={[{ value: "", label: own.length ? "Choose a device" : "You have no paired devices" }, ...own.map((d) => ({ value: d.id, label: d.name }))]}
              onChange={setOffered}
            />
          </div>
          <Button type="submit" disabled={offer.isPending || own.length === 0}>
            Offer device
          </Button>
        </form>
      )}

      <div>
        <h3 className="text-sm font-semibold">{isOwner ? "Devices editors offered" : "Your offers"}</h3>
        {offers.data && offers.data.length === 0 ? <p className="mt-1 text-sm text-zinc-600">{isOwner ? "No editor has offered a device." : "You have not offered a device to this project."}</p> : null}
        <ul aria-label={isOwner ? "Devices editors offered" : "Your offers"} className="mt-2 divide-y divide-zinc-100 text-sm">
          {offers.data?.map((o) => (
            <li key={o.deviceId} aria-label={o.deviceName} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <span>
                <span className="font-medium">{o.deviceName}</span>
                {isOwner ? <span className="text-zinc-600"> · offered by {o.offeredByLabel}</span> : null}
                <span className="text-zinc-600"> · {o.allowed ? (o.chosen ? "allowed, the local tier now" : "allowed") : "waiting for the owner"}</span>
                <span className="text-zinc-500"> · {o.online ? "online" : "offline"}</span>
              </span>
              <span className="flex gap-2">
                {isOwner && !o.allowed ? (
                  <Button variant="secondary" aria-label={`Allow ${o.deviceName}`} onClick={() => void act(() => allow.mutateAsync({ projectId, deviceId: o.deviceId }), `${o.deviceName} may now be chosen as the local tier.`)}>
                    Allow
                  </Button>
                ) : null}
                {isOwner ? (
                  <Button variant="ghost" aria-label={`Revoke ${o.deviceName}`} onClick={() => void act(() => revoke.mutateAsync({ projectId, deviceId: o.deviceId }), `${o.deviceName} no longer serves this project, from the next turn on.`)}>
                    Revoke
                  </Button>
                ) : (
                  <Button variant="ghost" aria-label={`Withdraw ${o.deviceName}`} onClick={() => void act(() => withdraw.mutateAsync({ projectId, deviceId: o.deviceId }), `${o.deviceName} is no longer offered.`)}>
                    Withdraw
                  </Button>
                )}
              </span>
            </li>
          ))}
        </ul>
      </div>
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
    </div>
  );
}
