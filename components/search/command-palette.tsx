"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/components/providers/trpc";
import type { AppRouter } from "@/server/routers/_app";
import { memberHref, messageHref, projectOfPath, searchPageHref, sourceHref } from "./links";
import { Snippet, WhereItLives } from "./snippet";
import { useDebounced } from "./use-debounced";

type PaletteData = inferRouterOutputs<AppRouter>["search"]["everywherePalette"];

const nothingIn = (d: PaletteData) =>
  d.chats.length + d.messages.length + d.sources.length + d.people.length === 0;

function firstValue(d: PaletteData): string {
  if (d.chats[0]) return `chat:${d.chats[0].chatId}`;
  if (d.messages[0]) return `message:${d.messages[0].messageId}`;
  if (d.sources[0]) return `source:${d.sources[0].sourceId}`;
  if (d.people[0]) return `person:${d.people[0].userId}`;
  return "search-page";
}

const GROUP = "px-2 pt-2 text-xs font-medium text-zinc-500 [&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:pb-1";
const ITEM = "cursor-pointer rounded-md px-2 py-1.5 text-sm text-zinc-800 data-[selected=true]:bg-emerald-50 data-[selected=true]:text-emerald-900";

/**
 * ⌘K / Ctrl-K on every signed-in page: chats, messages, sources and people,
 * in the project the page is in (or all of one's projects), and a jump to the
 * full search page. Filtering is the server's (`shouldFilter={false}`): it
 * knows what the person may read.
 */
export function CommandPalette() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const here = projectOfPath(pathname);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [everywhere, setEverywhere] = useState(false);
  const query = useDebounced(text.trim(), 150);
  const projectId = everywhere ? null : here;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() === "k" && (e.metaKey || e.ctrlKey)) {
        e.preventDefault();
        setOpen((was) => !was);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const options = { enabled: open && query.length > 0, placeholderData: keepPreviousData, staleTime: 5_000 };
  const inProject = useQuery({ ...trpc.search.projectPalette.queryOptions({ projectId: projectId ?? "", query }), ...options, enabled: options.enabled && projectId !== null });
  const all = useQuery({ ...trpc.search.everywherePalette.queryOptions({ query }), ...options, enabled: options.enabled && projectId === null });
  const results = projectId ? inProject : all;
  const data = query ? results.data : undefined;

  // Enter takes the best result: whenever new results arrive, the first one is selected (cmdk would
  // otherwise keep "More", which renders before the results do).
  const first = data ? firstValue(data) : "search-page";
  const [selected, setSelected] = useState(first);
  useEffect(() => setSelected(first), [first]);

  const go = (href: string) => {
    setOpen(false);
    setText("");
    router.push(href);
  };

  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="flex items-center gap-2 rounded-md border border-zinc-300 px-2.5 py-1 text-sm text-zinc-600 hover:bg-zinc-100"
        aria-keyshortcuts="Control+K Meta+K"
      >
        Search
        <kbd className="rounded border border-zinc-200 bg-zinc-50 px-1 text-[10px] text-zinc-500">Ctrl K</kbd>
      </button>
      <Command.Dialog
        open={open}
        onOpenChange={setOpen}
        label="Search Arbor"
        shouldFilter={false}
        value={selected}
        onValueChange={setSelected}
        overlayClassName="fixed inset-0 z-40 bg-zinc-900/30"
        contentClassName="fixed left-1/2 top-24 z-50 w-[min(40rem,calc(100vw-2rem))] -translate-x-1/2 overflow-hidden rounded-lg border border-zinc-200 bg-white shadow-xl"
      >
        <div className="flex items-center gap-2 border-b border-zinc-200 px-3">
          <Command.Input
            value={text}
            onValueChange={setText}
            placeholder={projectId ? "Search this project…" : "Search all your projects…"}
            aria-label="Search"
            className="h-12 flex-1 bg-transparent text-sm outline-none placeholder:text-zinc-400"
          />
          {here ? (
            <label className="flex shrink-0 items-center gap-1.5 text-xs text-zinc-600">
              <input type="checkbox" checked={everywhere} onChange={(e) => setEverywhere(e.target.checked)} />
              All projects
            </label>
          ) : null}
        </div>
        <Command.List className="max-h-[60vh] overflow-y-auto pb-2">
          {data && !results.isPlaceholderData && nothingIn(data) ? <p className="px-4 py-4 text-center text-sm text-zinc-500">No chat, message, source or person matches “{query}”.</p> : null}
          {!query ? <p className="px-4 py-6 text-center text-sm text-zinc-500">Type to search chats, messages, sources and people.</p> : null}
          {results.error ? <p className="px-4 py-3 text-sm text-red-700">{results.error.message}</p> : null}
          {data && data.chats.length > 0 ? (
            <Command.Group heading="Chats" className={GROUP}>
              {data.chats.map((c) => (
                <Command.Item key={c.chatId} value={`chat:${c.chatId}`} onSelect={() => go(`/projects/${c.projectId}/chat/${c.chatId}`)} className={ITEM}>
                  {c.title} {projectId ? null : <span className="text-xs text-zinc-500">· {c.projectTitle}</span>}
                </Command.Item>
              ))}
            </Command.Group>
          ) : null}
          {data && data.messages.length > 0 ? (
            <Command.Group heading="Messages" className={GROUP}>
              {data.messages.map((m) => (
                <Command.Item key={m.messageId} value={`message:${m.messageId}`} onSelect={() => go(messageHref(m))} className={ITEM}>
                  <span className="line-clamp-2">
                    <Snippet parts={m.snippet} />
                  </span>
                  <WhereItLives chatTitle={m.chatTitle} branchPath={m.branchPath} projectTitle={projectId ? undefined : m.projectTitle} />
                </Command.Item>
              ))}
            </Command.Group>
          ) : null}
          {data && data.sources.length > 0 ? (
            <Command.Group heading="Sources" className={GROUP}>
              {data.sources.map((s) => (
                <Command.Item key={s.sourceId} value={`source:${s.sourceId}`} onSelect={() => go(sourceHref(s))} className={ITEM}>
                  {s.title} {projectId ? null : <span className="text-xs text-zinc-500">· {s.projectTitle}</span>}
                </Command.Item>
              ))}
            </Command.Group>
          ) : null}
          {data && data.people.length > 0 ? (
            <Command.Group heading="People" className={GROUP}>
              {data.people.map((p) => (
                <Command.Item key={`${p.userId}:${p.projectId}`} value={`person:${p.userId}`} onSelect={() => go(memberHref(p))} className={ITEM}>
                  {p.name || p.email} <span className="text-xs text-zinc-500">· {p.email} · {p.role}{projectId ? "" : ` in ${p.projectTitle}`}</span>
                </Command.Item>
              ))}
            </Command.Group>
          ) : null}
          {text.trim() ? (
            <Command.Group heading="More" className={GROUP}>
              <Command.Item value="search-page" onSelect={() => go(searchPageHref(text.trim(), projectId))} className={ITEM}>
                Search all messages for “{text.trim()}”
              </Command.Item>
            </Command.Group>
          ) : null}
        </Command.List>
      </Command.Dialog>
    </>
  );
}
