"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { Field, SelectField } from "@/components/ui/field";
import { errorMessage } from "@/lib/errors";
import { priceForInput, priceFromInput } from "@/lib/price-input";
import type { AppRouter } from "@/server/routers/_app";

type ProviderView = inferRouterOutputs<AppRouter>["providers"]["list"][number];

/**
 * The owner's own OpenAI-compatible providers: add one (its models are
 * listed from the server itself), price each model, pick one as the local
 * tier. The key is sent once and only its masked hint ever comes back.
 */
export function ProvidersPanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.providers.list.queryOptions({ projectId }));
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = async () => {
    await queryClient.invalidateQueries(trpc.providers.list.queryFilter());
    await queryClient.invalidateQueries(trpc.chat.models.queryFilter());
  };
  const providers = list.data ?? [];
  const priced = providers.flatMap((p) => p.models.filter((m) => m.inputMicrosPerMTok !== null).map((m) => ({ provider: p, model: m })));
  const localNow = priced.find(({ provider, model }) => provider.localModel === model.model);
  const setLocal = useMutation(trpc.providers.setLocalTier.mutationOptions({ onSuccess: refresh }));

  return (
    <div className="space-y-4">
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {list.isError ? <Alert tone="error">Could not load the providers: {list.error.message}</Alert> : null}
      {list.data && providers.length === 0 ? <p className="text-sm text-zinc-600">No providers yet. Answers use Claude and the server's local tier.</p> : null}
      <ul aria-label="Providers" className="space-y-4">
        {providers.map((p) => (
          <li key={p.id}>
            <ProviderCard key={p.models.map((m) => m.id).join()} projectId={projectId} provider={p} onChanged={refresh} onNotice={setNotice} />
          </li>
        ))}
      </ul>
      {priced.length > 0 ? (
        <div className="max-w-md">
          <SelectField
            label="Provider model as the local tier"
            value={localNow?.model.id ?? ""}
            disabled={setLocal.isPending}
            options={[{ value: "", label: "The server's local tier" }, ...priced.map(({ provider, model }) => ({ value: model.id, label: `${provider.name} · ${model.model}` }))]}
            onChange={(modelId) =>
              setLocal.mutate({ projectId, modelId: modelId || null }, { onSuccess: () => setNotice(modelId ? "Local answers now come from your provider." : "Local answers come from the server's local tier again.") })
            }
          />
          {setLocal.isError ? <Alert tone="error">{setLocal.error.message}</Alert> : null}
        </div>
      ) : null}
      <AddProviderForm projectId={projectId} onAdded={async (name) => {
        setNotice(`${name} was added. Enter a price for each model you want to use.`);
        await refresh();
      }} />
    </div>
  );
}

function ProviderCard({ projectId, provider, onChanged, onNotice }: { projectId: string; provider: ProviderView; onChanged: () => Promise<void>; onNotice: (text: string) => void }) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<Record<string, { input: string; output: string }>>(() =>
    Object.fromEntries(provider.models.map((m) => [m.id, { input: priceForInput(m.inputMicrosPerMTok), output: priceForInput(m.outputMicrosPerMTok) }])),
  );
  const [error, setError] = useState<string | null>(null);
  const setPrices = useMutation(trpc.providers.setPrices.mutationOptions());
  const reload = useMutation(trpc.providers.refresh.mutationOptions());
  const remove = useMutation(trpc.providers.remove.mutationOptions());

  async function savePrices(event: React.FormEvent) {
    event.preventDefault();
    setError(null);
    const prices = [];
    for (const m of provider.models) {
      const d = draft[m.id] ?? { input: "", output: "" };
      if (d.input.trim() === "" && d.output.trim() === "") continue;
      const input = priceFromInput(d.input);
      const output = priceFromInput(d.output);
      if (input === null || output === null) {
        setError(`Enter both prices for ${m.model} in US dollars per million tokens, like 3 or 0.15.`);
        return;
      }
      prices.push({ modelId: m.id, inputMicrosPerMTok: input, outputMicrosPerMTok: output });
    }
    try {
      await setPrices.mutateAsync({ projectId, providerId: provider.id, prices });
      onNotice(`Prices for ${provider.name} were saved. Priced models appear in the composer's model picker.`);
      await onChanged();
    } catch (err) {
      setError(errorMessage(err, "Could not save the prices."));
    }
  }

  return (
    <section aria-label={provider.name} className="rounded-md border border-zinc-200 p-3">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 className="font-medium text-zinc-900">{provider.name}</h3>
          <p className="break-all text-xs text-zinc-600">
            {provider.baseUrl} · {provider.keyHint ? `key ${provider.keyHint}` : "no key"}
          </p>
        </div>
        <div className="flex shrink-0 gap-1">
          <button
            type="button"
            className={buttonClass("ghost", "py-1 text-xs")}
            disabled={reload.isPending}
            aria-label={`List the models of ${provider.name} again`}
            onClick={() =>
              reload.mutate(
                { projectId, providerId: provider.id },
                { onSuccess: () => void onChanged().then(() => onNotice(`The models of ${provider.name} were listed again.`)), onError: (err) => setError(err.message) },
              )
            }
          >
            {reload.isPending ? "Listing…" : "Refresh models"}
          </button>
          <button
            type="button"
            className={buttonClass("ghost", "py-1 text-xs text-red-700")}
            aria-label={`Remove ${provider.name}`}
            onClick={() => {
              if (!window.confirm(`Remove ${provider.name}? Its models leave the picker; answers it wrote stay.`)) return;
              remove.mutate({ projectId, providerId: provider.id }, { onSuccess: () => void onChanged().then(() => onNotice(`${provider.name} was removed.`)), onError: (err) => setError(err.message) });
            }}
          >
            Remove
          </button>
        </div>
      </div>
      <form onSubmit={savePrices} aria-label={`Prices of ${provider.name}`} className="mt-3 space-y-2">
        <table className="w-full text-sm">
          <caption className="mb-1 text-left text-xs text-zinc-600">US dollars per million tokens. Every call is held and metered at these prices; a model without prices cannot be used.</caption>
          <thead>
            <tr className="text-left text-xs text-zinc-600">
              <th scope="col" className="py-1 font-medium">Model</th>
              <th scope="col" className="py-1 font-medium">Input</th>
              <th scope="col" className="py-1 font-medium">Output</th>
            </tr>
          </thead>
          <tbody>
            {provider.models.map((m) => (
              <tr key={m.id} className="align-top">
                <th scope="row" className="py-1 pr-2 text-left font-mono text-xs font-normal text-zinc-800">
                  {m.model}
                  {provider.localModel === m.model ? <span className="ml-1 rounded bg-emerald-50 px-1 text-emerald-800">local tier</span> : null}
                </th>
                {(["input", "output"] as const).map((side) => (
                  <td key={side} className="py-1 pr-2">
                    <label className="sr-only" htmlFor={`${m.id}-${side}`}>
                      {side === "input" ? "Input" : "Output"} price of {m.model} (USD per million tokens)
                    </label>
                    <input
                      id={`${m.id}-${side}`}
                      inputMode="decimal"
                      className="block w-28 rounded-md border border-zinc-300 px-2 py-1 text-sm"
                      placeholder="unpriced"
                      value={draft[m.id]?.[side] ?? ""}
                      onChange={(e) => setDraft((prev) => ({ ...prev, [m.id]: { input: prev[m.id]?.input ?? "", output: prev[m.id]?.output ?? "", [side]: e.target.value } }))}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {error ? <Alert tone="error">{error}</Alert> : null}
        <button type="submit" className={buttonClass("secondary")} disabled={setPrices.isPending}>
          {setPrices.isPending ? "Saving…" : "Save prices"}
        </button>
      </form>
    </section>
  );
}

function AddProviderForm({ projectId, onAdded }: { projectId: string; onAdded: (name: string) => Promise<void> }) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [baseUrl, setBaseUrl] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const add = useMutation(trpc.providers.add.mutationOptions());

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const added = await add.mutateAsync({ projectId, name, baseUrl, apiKey: apiKey || null });
      setName("");
      setBaseUrl("");
      setApiKey("");
      await onAdded(added.name);
    } catch (err) {
      setError(errorMessage(err, "Could not add the provider."));
    }
  }

  return (
    <form onSubmit={submit} aria-label="Add a provider" className="space-y-3 rounded-md border border-dashed border-zinc-300 p-3">
      <h3 className="text-sm font-semibold text-zinc-900">Add an OpenAI-compatible provider</h3>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Provider name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={60} placeholder="House GPU" />
        <Field label="Base URL" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} required placeholder="https://models.example.com/v1" hint="The API root, usually ending in /v1. Private addresses need the operator's permission." />
        <Field label="API key" type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} hint="Optional. Stored encrypted; only its first and last characters are ever shown." />
      </div>
      {error ? <Alert tone="error">{error}</Alert> : null}
      <button type="submit" className={buttonClass("primary")} disabled={add.isPending}>
        {add.isPending ? "Listing its models…" : "Add provider"}
      </button>
    </form>
  );
}
