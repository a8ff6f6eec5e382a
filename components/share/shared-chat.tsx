"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { MessageMarkdown } from "@/components/chat/markdown";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { newestLeafUnder, pathTo } from "./shared-path";

/**
 * A live share follows the chat through its SSE feed (GET /api/share/<token>/live, server/share/live.ts):
 * "changed" reads the view again; an answer being written arrives piece by piece from its stream ledger.
 * Returns the text streamed so far per answer id.
 */
function useLiveFeed(token: string, live: boolean, onChanged: () => void, onGone: (message: string) => void): Record<string, string> {
  const [streamed, setStreamed] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!live) return;
    const source = new EventSource(`/api/share/${encodeURIComponent(token)}/live`);
    source.onmessage = (message) => {
      let event: { type?: string; messageId?: string; text?: string; message?: string };
      try {
        event = JSON.parse(message.data);
      } catch {
        return; // not an event of ours: skipped rather than trusted
      }
      const id = event.messageId;
      if (event.type === "changed") onChanged();
      else if (event.type === "answer" && id) setStreamed((s) => ({ ...s, [id]: "" }));
      else if (event.type === "content" && id && typeof event.text === "string") {
        const text = event.text;
        setStreamed((s) => ({ ...s, [id]: (s[id] ?? "") + text }));
      } else if (event.type === "gone") {
        source.close();
        onGone(event.message ?? "This share link no longer works.");
      }
    };
    return () => source.close();
  }, [token, live, onChanged, onGone]);
  return streamed;
}

type Props = {
  token: string;
  signedIn: boolean;
  /** projects where the viewer may write: where a copy can go */
  projects: { id: string; title: string }[];
};

/** The read-only page of /share/<token>: the shared line, with the same version switcher as a chat. */
export function SharedChat({ token, signedIn, projects }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const view = useQuery({ ...trpc.share.view.queryOptions({ token }), refetchOnWindowFocus: false });
  const [gone, setGone] = useState<string | null>(null);
  const [onChanged] = useState(() => () => void queryClient.invalidateQueries(trpc.share.view.queryFilter({ token })));
  const [onGone] = useState(() => (message: string) => setGone(message));
  const streamed = useLiveFeed(token, view.data?.mode === "live" && !view.error && !gone, onChanged, onGone);
  // null: follow the share's own tip (a live share moves with its branch); otherwise the version the reader picked
  const [chosenTip, setChosenTip] = useState<string | null>(null);
  if (gone) return <Alert tone="error">{gone}</Alert>;
  if (view.error) return <Alert tone="error">{view.error.message}</Alert>;
  if (!view.data) return <p className="text-sm text-zinc-500">Loading the shared chat…</p>;
  const data = view.data;
  const tip = chosenTip && data.messages.some((m) => m.id === chosenTip) ? chosenTip : data.tipId;
  const path = pathTo(data.messages, tip);
  return (
    <div className="space-y-4">
      <header>
        <h1 className="text-xl font-semibold text-zinc-900">{data.chatTitle}</h1>
        <p className="mt-1 text-sm text-zinc-600">
          {data.scope === "branch" ? `Branch “${data.branchTitle ?? "Main"}”` : "The whole chat, every branch"} ·{" "}
          {data.mode === "live" ? "live: new messages appear here as they are written" : "a snapshot: it does not change"} · read-only
        </p>
      </header>
      <ol className="space-y-3" aria-label="Shared messages">
        {path.map(({ message, siblingIds, index }) => (
          <li key={message.id}>
            <article aria-label={message.role === "user" ? "Question" : "Answer"} className={`rounded-lg border px-4 py-3 ${message.role === "user" ? "border-zinc-200 bg-zinc-50" : "border-zinc-200 bg-white"}`}>
              <div className="flex items-center justify-between gap-2">
                <p className="text-xs font-semibold uppercase tracking-wide text-zinc-500">{message.role === "user" ? "Question" : "Answer"}</p>
                {data.scope === "tree" && siblingIds.length > 1 ? (
                  <fieldset aria-label="Versions" className="m-0 flex min-w-0 items-center gap-1 border-0 p-0 text-xs text-zinc-600">
                    <button type="button" className="rounded px-1.5 hover:bg-zinc-100 disabled:opacity-40" aria-label="Previous version" disabled={index === 0} onClick={() => setChosenTip(newestLeafUnder(data.messages, siblingIds[index - 1] ?? message.id))}>
                      ‹
                    </button>
                    <span>
                      {index + 1} / {siblingIds.length}
                    </span>
                    <button type="button" className="rounded px-1.5 hover:bg-zinc-100 disabled:opacity-40" aria-label="Next version" disabled={index === siblingIds.length - 1} onClick={() => setChosenTip(newestLeafUnder(data.messages, siblingIds[index + 1] ?? message.id))}>
                      ›
                    </button>
                  </fieldset>
                ) : null}
              </div>
              <div className="mt-1 text-sm text-zinc-900">
                <MessageMarkdown text={shownText(message, streamed)} />
              </div>
              {message.role === "assistant" ? (
                <p className="mt-1 text-xs text-zinc-500">
                  {message.status === "streaming" ? <span role="status">Writing…</span> : message.tier === "cloud" ? `Cloud · ${message.model ?? ""}` : `Local · ${message.model === "vault-responder" ? "vault responder" : (message.model ?? "")}`}
                </p>
              ) : null}
            </article>
          </li>
        ))}
      </ol>
      {path.length === 0 ? <p className="text-sm text-zinc-600">Nothing has been said in this chat yet.</p> : null}
      <ContinueAsCopy token={token} tipId={tip} signedIn={signedIn} projects={projects} />
    </div>
  );
}

/** An answer being written shows the longer of its saved text and what its stream has sent so far. */
function shownText(message: { id: string; content: string; status: string }, streamed: Record<string, string>): string {
  const live = message.status === "streaming" ? streamed[message.id] : undefined;
  const text = live !== undefined && live.length >= message.content.length ? live : message.content;
  return text || (message.status === "streaming" ? "…" : "");
}

function ContinueAsCopy({ token, tipId, signedIn, projects }: { token: string; tipId: string | null } & Omit<Props, "token">) {
  const trpc = useTRPC();
  const router = useRouter();
  const [projectId, setProjectId] = useState(projects[0]?.id ?? "");
  const copy = useMutation(trpc.share.copy.mutationOptions());
  if (!signedIn) {
    return (
      <p className="text-sm text-zinc-600">
        <a className="font-medium text-emerald-800 hover:underline" href={`/sign-in?next=${encodeURIComponent(`/share/${token}`)}`}>
          Sign in
        </a>{" "}
        to continue this chat as a copy in a project of your own.
      </p>
    );
  }
  if (projects.length === 0) return <p className="text-sm text-zinc-600">Create a project to continue this chat as a copy of your own.</p>;
  return (
    <form
      className="flex flex-wrap items-end gap-2 rounded-lg border border-zinc-200 bg-white p-3"
      onSubmit={async (e) => {
        e.preventDefault();
        const made = await copy.mutateAsync({ projectId, token, tipId });
        router.push(`/projects/${made.projectId}/chat/${made.chatId}`);
      }}
    >
      <div>
        <label htmlFor="copy-project" className="block text-sm font-medium text-zinc-800">
          Copy into
        </label>
        <select id="copy-project" className={inputClass} value={projectId} onChange={(e) => setProjectId(e.target.value)}>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </div>
      <Button type="submit" disabled={copy.isPending}>
        Continue as a copy
      </Button>
      {copy.error ? <p className="w-full text-sm text-red-700">{copy.error.message}</p> : null}
    </form>
  );
}
