"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useFormatDate } from "@/components/providers/display";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";

type Scope = "chat" | "read" | "devices";
const SCOPES: Array<{ value: Scope; label: string; help: string }> = [
  { value: "chat", label: "chat", help: "ask questions and read answers (POST /api/chat, GET /api/chat/<id>)" },
  { value: "read", label: "read", help: "read and watch answers, list devices" },
  { value: "devices", label: "devices", help: "the device endpoints (pair and manage your machines)" },
];
const EXPIRY = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "Never (not recommended)" },
];

/** Personal access tokens: create (shown once), list with last use, revoke. */
export function AccessTokens({ projects }: { projects: Array<{ id: string; title: string }> }) {
  const trpc = useTRPC();
  const when = useFormatDate();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.tokens.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["chat"]);
  const [projectId, setProjectId] = useState("");
  const [expiry, setExpiry] = useState("30");
  const [copied, setCopied] = useState(false);
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: () => {
        setName("");
        return refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: refresh }));
  const projectSelect = useId();
  const expirySelect = useId();
  const shown = create.data;

  return (
    <div className="space-y-5">
      <form
        className="grid gap-4 sm:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault();
          setCopied(false);
          create.mutate({ name, scopes, projectId: projectId || null, expiresInDays: expiry === "never" ? null : Number(expiry) });
        }}
      >
        <div className="sm:col-span-2">
          <Field label="Token name" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required hint="What uses it, e.g. “nightly export script”." />
        </div>
        <fieldset className="space-y-1 sm:col-span-2">
          <legend className="text-sm font-medium text-zinc-800">Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s.value} className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                className="mt-1"
                checked={scopes.includes(s.value)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, s.value] : scopes.filter((x) => x !== s.value))}
              />
              <span>
                <code className="font-medium">{s.label}</code> — <span className="text-zinc-600">{s.help}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="space-y-1">
          <label htmlFor={projectSelect} className="block text-sm font-medium text-zinc-800">
            Project
          </label>
          <select id={projectSelect} className={inputClass} value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            <option value="">All my projects</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                Only {p.title}
              </option>
            ))}
          </select>
        </div>
        <div className="space-y-1">
          <label htmlFor={expirySelect} className="block text-sm font-medium text-zinc-800">
            Expires after
          </label>
          <select id={expirySelect} className={inputClass} value={expiry} onChange={(e) => setExpiry(e.target.value)}>
            {EXPIRY.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="sm:col-span-2">
          <Button type="submit" disabled={create.isPending || scopes.length === 0 || !name.trim()}>
            {create.isPending ? "Creating…" : "Create token"}
          </Button>
        </div>
        {create.error ? (
          <div className="sm:col-span-2">
            <Alert tone="error">{create.error.message}</Alert>
          </div>
        ) : null}
      </form>

      {shown ? (
        <section aria-label="New token" className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-3">
          <p className="text-sm font-medium text-emerald-900">Copy “{shown.name}” now — it will not be shown again.</p>
          <div className="flex items-center gap-2">
            <input aria-label="New access token" readOnly value={shown.token} className={`${inputClass} font-mono`} onFocus={(e) => e.currentTarget.select()} />
            <Button
              variant="secondary"
              onClick={() => {
                void navigator.clipboard?.writeText(shown.token).then(() => setCopied(true));
              }}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
          <p className="text-xs text-emerald-900">
            Send it as <code>Authorization: Bearer …</code>. Examples are in the API guide (docs/api.md).
          </p>
        </section>
      ) : null}

      {list.data && list.data.length > 0 ? (
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Your access tokens</caption>
          <thead className="text-xs uppercase text-zinc-500">
            <tr>
              <th className="py-1 pr-2 font-medium">Name</th>
              <th className="py-1 pr-2 font-medium">Scopes</th>
              <th className="py-1 pr-2 font-medium">Last used</th>
              <th className="py-1 pr-2 font-medium">Expires</th>
              <th className="py-1 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {list.data.map((t) => (
              <tr key={t.id} aria-label={`Token ${t.name}`}>
                <td className="py-2 pr-2">
                  <div className="font-medium">{t.name}</div>
                  <code className="text-xs text-zinc-500">{t.prefix}…</code>
                  {t.project ? <div className="text-xs text-zinc-500">only {t.project.title}</div> : null}
                </td>
                <td className="py-2 pr-2">{t.scopes.join(", ")}</td>
                <td className="py-2 pr-2 text-zinc-600">
                  {t.lastUsedAt ? (
                    <>
                      {when(t.lastUsedAt)}
                      <div className="text-xs">from {t.lastUsedIp}</div>
                    </>
                  ) : (
                    "Never"
                  )}
                </td>
                <td className="py-2 pr-2 text-zinc-600">{t.expiresAt ? when(t.expiresAt) : "Never"}</td>
                <td className="py-2 text-right">
                  {t.state === "active" ? (
                    <Button variant="ghost" aria-label={`Revoke ${t.name}`} disabled={revoke.isPending} onClick={() => revoke.mutate({ tokenId: t.id })}>
                      Revoke
                    </Button>
                  ) : (
                    <Badge tone={t.state === "revoked" ? "red" : "amber"}>{t.state === "revoked" ? "Revoked" : "Expired"}</Badge>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : list.data ? (
        <p className="text-sm text-zinc-600">No tokens yet. Create one above to call Arbor’s API from a script.</p>
      ) : null}
      {revoke.error ? <Alert tone="error">{revoke.error.message}</Alert> : null}
    </div>
  );
}
