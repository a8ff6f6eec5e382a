"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { LocalTime } from "@/components/providers/display";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** Authenticator app: set up by scanning and confirming a code; recovery codes shown once; turn off with password and code. */
export function AuthenticatorApp({ hasPassword }: { hasPassword: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.accountSecurity.totpStatus.queryOptions());
  const router = useRouter();
  // the security log below is server-rendered: refresh it with the status
  const refresh = () => {
    router.refresh();
    return queryClient.invalidateQueries({ queryKey: trpc.accountSecurity.totpStatus.queryKey() });
  };
  const start = useMutation(trpc.accountSecurity.startTotp.mutationOptions());
  const confirm = useMutation(trpc.accountSecurity.confirmTotp.mutationOptions({ onSuccess: refresh }));
  const disable = useMutation(trpc.accountSecurity.disableTotp.mutationOptions({ onSuccess: refresh }));
  const regenerate = useMutation(
    trpc.accountSecurity.regenerateRecoveryCodes.mutationOptions({
      onSuccess: () => {
        setOffCode("");
        setOffPassword("");
        return refresh();
      },
    }),
  );
  const [code, setCode] = useState("");
  const [offPassword, setOffPassword] = useState("");
  const [offCode, setOffCode] = useState("");

  if (status.isPending) return <p className="text-sm text-zinc-600">Loading…</p>;
  if (status.isError) return <Alert tone="error">{status.error.message}</Alert>;

  const shownCodes = confirm.data?.recoveryCodes ?? regenerate.data?.recoveryCodes;
  if (shownCodes) {
    return (
      <div className="space-y-3">
        <Alert tone="success">
          {confirm.data ? "Two-factor sign-in is on. From now on, signing in asks for a code from your app." : "New recovery codes made: the old ones no longer work."}
        </Alert>
        <p className="text-sm text-zinc-700">
          These recovery codes get you in if you lose your phone. Each works once. Save them somewhere safe now: they are shown only this once.
        </p>
        <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-1 rounded-md bg-zinc-50 p-3 font-mono text-sm">
          {shownCodes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
        <Button
          variant="secondary"
          onClick={() => {
            confirm.reset();
            regenerate.reset();
          }}
        >
          I have saved my recovery codes
        </Button>
      </div>
    );
  }

  if (status.data.enabled) {
    return (
      <form
        className="space-y-3"
        aria-label="Authenticator app settings"
        onSubmit={(e) => {
          e.preventDefault();
          disable.mutate({ password: hasPassword ? offPassword : null, code: offCode });
        }}
      >
        <p className="text-sm text-zinc-700">
          On: signing in asks for a code from your authenticator app. {status.data.recoveryCodesLeft} unused recovery {status.data.recoveryCodesLeft === 1 ? "code" : "codes"} left.
        </p>
        {disable.error ? <Alert tone="error">{disable.error.message}</Alert> : null}
        {regenerate.error ? <Alert tone="error">{regenerate.error.message}</Alert> : null}
        {hasPassword ? <Field label="Password" type="password" autoComplete="current-password" value={offPassword} onChange={(e) => setOffPassword(e.target.value)} required /> : null}
        <Field label="Code from your app" autoComplete="one-time-code" value={offCode} onChange={(e) => setOffCode(e.target.value)} hint="To turn the app off, a recovery code works too." required />
        <div className="flex flex-wrap gap-2">
          <Button type="submit" variant="danger" disabled={disable.isPending}>
            Turn off the authenticator app
          </Button>
          <Button variant="secondary" disabled={regenerate.isPending} onClick={() => regenerate.mutate({ password: hasPassword ? offPassword : null, code: offCode })}>
            Make new recovery codes
          </Button>
        </div>
      </form>
    );
  }

  if (start.data) {
    return (
      <form
        className="space-y-3"
        aria-label="Confirm the authenticator app"
        onSubmit={(e) => {
          e.preventDefault();
          confirm.mutate({ code });
        }}
      >
        <p className="text-sm text-zinc-700">Scan this code with your authenticator app (1Password, Google Authenticator, Authy…), then enter the 6-digit code it shows.</p>
        {/* biome-ignore lint/performance/noImgElement: a data URL made on the server; next/image adds nothing here */}
        <img src={start.data.qrDataUrl} width={176} height={176} alt="QR code for your authenticator app" />
        <p className="text-sm text-zinc-600">
          Cannot scan? Enter this key by hand: <code data-testid="totp-secret" className="break-all rounded bg-zinc-100 px-1 font-mono">{start.data.secret}</code>
        </p>
        {confirm.error ? <Alert tone="error">{confirm.error.message}</Alert> : null}
        <Field label="Code from your app" autoComplete="one-time-code" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} required />
        <div className="flex gap-2">
          <Button type="submit" disabled={confirm.isPending}>
            Confirm and turn on
          </Button>
          <Button variant="ghost" onClick={() => start.reset()}>
            Cancel
          </Button>
        </div>
      </form>
    );
  }

  return (
    <div className="space-y-3">
      <p className="text-sm text-zinc-700">Off. With an authenticator app, signing in needs a code from your phone as well as your password or sign-in link.</p>
      {start.error ? <Alert tone="error">{start.error.message}</Alert> : null}
      {disable.isSuccess ? <Alert tone="success">The authenticator app was turned off and its recovery codes no longer work.</Alert> : null}
      <Button onClick={() => start.mutate()} disabled={start.isPending}>
        Set up an authenticator app
      </Button>
    </div>
  );
}

/** Passkeys: add (the browser's prompt), rename, remove. Each signs in alone or serves as the second step. */
export function Passkeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.accountSecurity.passkeys.queryOptions());
  const router = useRouter();
  const refresh = () => {
    router.refresh();
    return queryClient.invalidateQueries({ queryKey: trpc.accountSecurity.passkeys.queryKey() });
  };
  const options = useMutation(trpc.accountSecurity.passkeyRegistrationOptions.mutationOptions());
  const register = useMutation(trpc.accountSecurity.registerPasskey.mutationOptions({ onSuccess: refresh }));
  const rename = useMutation(trpc.accountSecurity.renamePasskey.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.accountSecurity.removePasskey.mutationOptions({ onSuccess: refresh }));
  const [name, setName] = useState("");
  const [browserError, setBrowserError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);

  async function add() {
    setBrowserError(null);
    const optionsJSON = await options.mutateAsync();
    let response: Awaited<ReturnType<typeof startRegistration>>;
    try {
      response = await startRegistration({ optionsJSON });
    } catch (e) {
      setBrowserError(e instanceof Error && e.name === "InvalidStateError" ? "This device already holds a passkey for your account." : "No passkey was made. Try again when your device asks.");
      return;
    }
    await register.mutateAsync({ response, name });
    setName("");
  }

  const error = browserError ?? options.error?.message ?? register.error?.message ?? rename.error?.message ?? remove.error?.message;
  return (
    <div className="space-y-4">
      {error ? <Alert tone="error">{error}</Alert> : null}
      {list.data && list.data.length > 0 ? (
        <ul className="divide-y divide-zinc-100 text-sm" aria-label="Passkeys">
          {list.data.map((k) => (
            <li key={k.id} className="flex items-center justify-between gap-3 py-2" aria-label={k.name}>
              {renaming?.id === k.id ? (
                <form
                  className="flex flex-1 items-end gap-2"
                  onSubmit={(e) => {
                    e.preventDefault();
                    rename.mutate({ passkeyId: k.id, name: renaming.name }, { onSuccess: () => setRenaming(null) });
                  }}
                >
                  <Field label="New name" value={renaming.name} onChange={(e) => setRenaming({ id: k.id, name: e.target.value })} required maxLength={60} />
                  <Button type="submit" variant="secondary">
                    Save name
                  </Button>
                </form>
              ) : (
                <div>
                  <p className="font-medium text-zinc-900">{k.name}</p>
                  <p className="text-zinc-600">
                    Added {k.createdAt ? <LocalTime date={k.createdAt} /> : "never"} · last used {k.lastUsedAt ? <LocalTime date={k.lastUsedAt} /> : "never"}
                  </p>
                </div>
              )}
              <div className="flex gap-2">
                {renaming?.id === k.id ? null : (
                  <Button variant="ghost" onClick={() => setRenaming({ id: k.id, name: k.name })} aria-label={`Rename passkey ${k.name}`}>
                    Rename
                  </Button>
                )}
                <Button variant="ghost" onClick={() => remove.mutate({ passkeyId: k.id })} aria-label={`Remove passkey ${k.name}`}>
                  Remove
                </Button>
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-zinc-600">No passkeys yet. A passkey lets this device (or your phone or security key) sign you in without a password.</p>
      )}
      <form
        className="flex items-end gap-2"
        aria-label="Add a passkey"
        onSubmit={(e) => {
          e.preventDefault();
          void add().catch(() => undefined);
        }}
      >
        <Field label="Passkey name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Work laptop" maxLength={60} />
        <Button type="submit" variant="secondary" disabled={options.isPending || register.isPending}>
          Add a passkey
        </Button>
      </form>
    </div>
  );
}
