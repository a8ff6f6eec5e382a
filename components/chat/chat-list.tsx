"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { PencilIcon, PlusIcon, TrashIcon } from "./icons";
import { chatHref, type ChatSummary } from "./types";

type Props = {
  projectId: string;
  currentChatId: string | null;
  canWrite: boolean;
  canDelete: boolean;
};

/** The project's chats, newest first: New chat, open, rename inline, delete with a confirmation. */
export function ChatList({ projectId, currentChatId, canWrite, canDelete }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  // Titles arrive a moment after the first answer, and other members add chats: poll gently.
  const list = useQuery(trpc.chat.list.queryOptions({ projectId }, { refetchInterval: 5_000 }));
  const [error, setError] = useState<string | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.chat.list.queryKey({ projectId }) });

  const create = useMutation(
    trpc.chat.create.mutationOptions({
      onSuccess: async (chat) => {
        await invalidate();
        router.push(chatHref(projectId, chat.id));
      },
      onError: (err) => setError(err.message),
    }),
  );

  return (
    <nav aria-label="Chats" className="flex flex-col gap-2">
      {canWrite ? (
        <button type="button" onClick={() => create.mutate({ projectId })} disabled={create.isPending} className={buttonClass("primary", "w-full")}>
          <PlusIcon /> {create.isPending ? "Creating…" : "New chat"}
        </button>
      ) : null}
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 px-2 py-1.5 text-xs text-red-700">
          {error}
        </p>
      ) : null}
      {list.isPending ? (
        <ul aria-label="Loading chats" className="space-y-1.5">
          {[0, 1, 2].map((i) => (
            <li key={i} className="h-8 animate-pulse rounded-md bg-zinc-200/70" />
          ))}
        </ul>
      ) : list.isError ? (
        <p role="alert" className="text-sm text-red-700">
          Could not load the chats: {list.error.message}
        </p>
      ) : list.data.length === 0 ? (
        <p className="px-1 text-sm text-zinc-500">{canWrite ? "No chats yet. Start one with New chat, or just type below." : "No chats in this project yet."}</p>
      ) : (
        <ul className="space-y-0.5">
          {list.data.filter((c) => !c.archivedAt).map((chat) => (
            <ChatRow
              key={chat.id}
              projectId={projectId}
              chat={chat}
              current={chat.id === currentChatId}
              canWrite={canWrite}
              canDelete={canDelete}
              onChanged={invalidate}
              onDeleted={async () => {
                await invalidate();
                if (chat.id === currentChatId) router.push(`/projects/${projectId}/chat`);
              }}
            />
          ))}
        </ul>
      )}
      {list.data?.some((c) => c.archivedAt) ? (
        <details className="mt-2" open={list.data?.some((c) => c.archivedAt && c.id === currentChatId)}>
          <summary className="cursor-pointer px-1 text-xs font-medium text-zinc-500">Archived ({list.data?.filter((c) => c.archivedAt).length})</summary>
          <ul aria-label="Archived chats" className="mt-1 space-y-0.5">
            {(list.data ?? [])
              .filter((c) => c.archivedAt)
              .map((chat) => (
                <ChatRow key={chat.id} projectId={projectId} chat={chat} current={chat.id === currentChatId} canWrite={canWrite} canDelete={canDelete} onChanged={invalidate} onDeleted={invalidate} />
              ))}
          </ul>
        </details>
      ) : null}
    </nav>
  );
}

function ChatRow({
  projectId,
  chat,
  current,
  canWrite,
  canDelete,
  onChanged,
  onDeleted,
}: {
  projectId: string;
  chat: ChatSummary;
  current: boolean;
  canWrite: boolean;
  canDelete: boolean;
  onChanged: () => Promise<unknown>;
  onDeleted: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const inputId = useId();
  const [mode, setMode] = useState<"view" | "rename" | "confirm-delete">("view");
  const [title, setTitle] = useState(chat.title);
  const [error, setError] = useState<string | null>(null);
  const rename = useMutation(trpc.chat.rename.mutationOptions());
  const remove = useMutation(trpc.chat.delete.mutationOptions());
  const archive = useMutation(trpc.chat.setArchived.mutationOptions({ onSuccess: () => onChanged() }));

  if (mode === "rename") {
    return (
      <li className="rounded-md bg-white p-1.5 ring-1 ring-zinc-200">
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            setError(null);
            try {
              await rename.mutateAsync({ projectId, chatId: chat.id, title: title.trim() });
              await onChanged();
              setMode("view");
            } catch (err) {
              setError(err instanceof Error ? err.message : "Could not rename the chat.");
            }
          }}
          className="space-y-1.5"
        >
          <label htmlFor={inputId} className="block text-xs font-medium text-zinc-600">
            Chat name
          </label>
          <input
            id={inputId}
            value={title}
            autoFocus
            maxLength={120}
            onChange={(event) => setTitle(event.target.value)}
            onKeyDown={(event) => event.key === "Escape" && setMode("view")}
            className={`${inputClass} py-1`}
          />
          {error ? <p className="text-xs text-red-700">{error}</p> : null}
          <div className="flex justify-end gap-1">
            <button type="button" onClick={() => setMode("view")} className={buttonClass("ghost", "px-2 py-1 text-xs")}>
              Cancel
            </button>
            <button type="submit" disabled={!title.trim() || rename.isPending} className={buttonClass("primary", "px-2 py-1 text-xs")}>
              Save
            </button>
          </div>
        </form>
      </li>
    );
  }

  if (mode === "confirm-delete") {
    return (
      <li className="rounded-md bg-red-50 p-2 ring-1 ring-red-200" role="group" aria-label={`Move ${chat.title} to the trash?`}>
        <p className="text-xs text-red-900">
          Move <strong className="font-semibold">{chat.title}</strong> and all its branches to the trash? An editor can restore it from the project's Trash for 30 days; then it is removed for good.
        </p>
        {error ? <p className="mt-1 text-xs text-red-700">{error}</p> : null}
        <div className="mt-1.5 flex justify-end gap-1">
          <button type="button" autoFocus onClick={() => setMode("view")} className={buttonClass("ghost", "px-2 py-1 text-xs")}>
            Cancel
          </button>
          <button
            type="button"
            disabled={remove.isPending}
            onClick={async () => {
              setError(null);
              try {
                await remove.mutateAsync({ projectId, chatId: chat.id });
                await onDeleted();
              } catch (err) {
                setError(err instanceof Error ? err.message : "Could not move the chat to the trash.");
              }
            }}
            className={buttonClass("danger", "px-2 py-1 text-xs")}
          >
            Move to trash
          </button>
        </div>
      </li>
    );
  }

  const summaryId = `chat-summary-${chat.id}`;
  return (
    <li className={`group rounded-md ${current ? "bg-emerald-50 ring-1 ring-inset ring-emerald-200" : "hover:bg-zinc-100"}`}>
      <div className="flex items-center">
        <Link
          href={chatHref(projectId, chat.id)}
          aria-current={current ? "page" : undefined}
          aria-describedby={chat.summary ? summaryId : undefined}
          className={`min-w-0 flex-1 truncate px-2.5 py-1.5 text-sm ${current ? "font-medium text-emerald-900" : "text-zinc-700"}`}
          title={chat.title}
        >
          {chat.title}
        </Link>
        {canWrite ? (
          <button
            type="button"
            aria-label={`Rename chat ${chat.title}`}
            title="Rename"
            onClick={() => {
              setTitle(chat.title);
              setMode("rename");
            }}
            className="shrink-0 rounded px-1.5 py-1 text-xs text-zinc-500 opacity-0 group-focus-within:opacity-100 group-hover:opacity-100 hover:bg-white hover:text-zinc-900 focus:opacity-100"
          >
            <PencilIcon />
          </button>
        ) : null}
        {canWrite ? (
          <button
            type="button"
            aria-label={`${chat.archivedAt ? "Unarchive" : "Archive"} chat ${chat.title}`}
            title={chat.archivedAt ? "Unarchive" : "Archive"}
            disabled={archive.isPending}
            onClick={() => archive.mutate({ projectId, chatId: chat.id, archived: !chat.archivedAt })}
            className="shrink-0 rounded px-1.5 py-1 text-xs text-zinc-500 opacity-0 group-focus-within:opacity-100 group-hover:opacity-100 hover:bg-white hover:text-zinc-900 focus:opacity-100"
          >
            <ArchiveIcon />
          </button>
        ) : null}
        {canDelete ? (
          <button
            type="button"
            aria-label={`Move chat ${chat.title} to trash`}
            title="Move to trash"
            onClick={() => setMode("confirm-delete")}
            className="mr-1 shrink-0 rounded px-1.5 py-1 text-xs text-zinc-500 opacity-0 group-focus-within:opacity-100 group-hover:opacity-100 hover:bg-white hover:text-red-700 focus:opacity-100"
          >
            <TrashIcon />
          </button>
        ) : null}
      </div>
      {chat.summary ? <ChatDigestLine id={summaryId} title={chat.title} summary={chat.summary} keywords={chat.keywords ?? []} /> : null}
    </li>
  );
}

/** The background summary under a chat's name: two lines at most, the keywords after it. */
function ChatDigestLine({ id, title, summary, keywords }: { id: string; title: string; summary: string; keywords: string[] }) {
  // A one-question chat's summary is often its title again: then the keywords say more.
  const simple = (t: string) => t.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  const repeatsTitle = simple(summary).startsWith(simple(title)) && simple(summary).length - simple(title).length < 12;
  const words = keywords.slice(0, 4).join(", ");
  // margins, not padding: line-clamp clips at the padding box, and padding would show a sliver of a third line
  return (
    <p id={id} className="mx-2.5 mb-1.5 line-clamp-2 text-xs text-zinc-500" title={summary}>
      {repeatsTitle ? null : summary}
      {words ? <span className="text-zinc-400">{repeatsTitle ? words : ` · ${words}`}</span> : null}
    </p>
  );
}

function ArchiveIcon() {
  return (
    <svg aria-hidden viewBox="0 0 16 16" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="1.5">
      <path d="M2 3.5h12v3H2zM3 6.5v6h10v-6M6.5 9h3" strokeLinejoin="round" />
    </svg>
  );
}
