"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { roleAtLeast } from "@/lib/roles";
import { useBoardActions } from "./board-actions";
import { CommentThread } from "./comment-thread";
import { EdgeStyleFields } from "./edge-dialog";
import type { BoardData, EdgeStyle } from "./types";
import { LocalTime } from "@/components/providers/display";

export type Selection = { kind: "node"; key: string } | { kind: "edge"; edgeId: string };

/** The right-hand panel: what is selected, what can be done to it, and its comments. */
export function SidePanel({
  board,
  selection,
  locked,
  position,
  onClose,
  onChanged,
}: {
  board: BoardData;
  selection: Selection;
  locked: boolean;
  position: { x: number; y: number } | null;
  onClose: () => void;
  onChanged: () => void;
}) {
  return (
    <aside
      aria-label="Details"
      className="flex h-full w-80 shrink-0 flex-col gap-4 overflow-y-auto border-l border-zinc-200 bg-white p-4"
    >
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-semibold text-zinc-900">{selection.kind === "edge" ? "Edge" : kindTitle(selection.key)}</h2>
        <button type="button" onClick={onClose} className="rounded px-2 text-sm text-zinc-500 hover:bg-zinc-100" aria-label="Close panel">
          ✕
        </button>
      </div>
      {selection.kind === "edge" ? (
        <EdgeDetails board={board} edgeId={selection.edgeId} onChanged={onChanged} onDeleted={onClose} />
      ) : (
        <NodeDetails board={board} nodeKey={selection.key} locked={locked} position={position} onChanged={onChanged} onDeleted={onClose} />
      )}
    </aside>
  );
}

function kindTitle(key: string) {
  return { m: "Message", s: "Source", n: "Note", c: "Chat" }[key.slice(0, 1)] ?? "Node";
}

function NodeDetails({
  board,
  nodeKey,
  locked,
  position,
  onChanged,
  onDeleted,
}: {
  board: BoardData;
  nodeKey: string;
  locked: boolean;
  position: { x: number; y: number } | null;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const trpc = useTRPC();
  const projectId = useBoardActions().projectId;
  const canEdit = roleAtLeast(board.role, "editor");
  const canComment = roleAtLeast(board.role, "commenter");
  const [prefix, id = ""] = nodeKey.split(":");
  const lock = useMutation(trpc.canvas.setLocked.mutationOptions({ onSuccess: onChanged }));

  return (
    <>
      {prefix === "m" ? <MessageDetails board={board} projectId={projectId} messageId={id} /> : null}
      {prefix === "s" ? <SourceDetails board={board} projectId={projectId} sourceId={id} /> : null}
      {prefix === "n" ? <NoteDetails board={board} projectId={projectId} noteId={id} canEdit={canEdit} onChanged={onChanged} onDeleted={onDeleted} /> : null}
      {canEdit && position ? (
        <div>
          <button
            type="button"
            className="rounded-md border border-zinc-300 px-2.5 py-1 text-xs text-zinc-700 hover:bg-zinc-50 disabled:opacity-50"
            disabled={lock.isPending}
            onClick={() => lock.mutate({ projectId, key: nodeKey, locked: !locked, x: position.x, y: position.y })}
          >
            {locked ? "Unlock position" : "Lock position"}
          </button>
          {lock.error ? <p className="mt-1 text-xs text-red-600">{lock.error.message}</p> : null}
        </div>
      ) : null}
      {prefix !== "c" ? (
        <CommentThread
          projectId={projectId}
          targetKey={nodeKey}
          canComment={canComment}
          isOwner={board.role === "owner"}
          userId={board.userId}
          onChanged={onChanged}
        />
      ) : null}
    </>
  );
}

function MessageDetails({ board, projectId, messageId }: { board: BoardData; projectId: string; messageId: string }) {
  const trpc = useTRPC();
  const message = board.messages.find((m) => m.id === messageId);
  const { data } = useQuery(trpc.canvas.messageText.queryOptions({ projectId, messageId }));
  if (!message) return <p className="text-xs text-zinc-500">This message is no longer on the board.</p>;
  return (
    <div className="flex flex-col gap-2">
      <p className="text-xs text-zinc-500">
        {message.role === "user" ? "Question" : "Answer"}
        {message.tier ? ` · ${message.tier}` : ""}
        {message.model ? ` · ${message.model}` : ""} · <LocalTime date={message.createdAt} />
      </p>
      <p className="max-h-60 overflow-y-auto whitespace-pre-wrap break-words rounded-md bg-zinc-50 p-2 text-xs text-zinc-900">
        {message.deleted ? "This message was deleted." : (data?.content ?? message.preview)}
      </p>
      <Link
        href={`/projects/${projectId}/chat/${message.chatId}?message=${message.id}`}
        className="self-start rounded-md bg-emerald-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-emerald-700"
      >
        Open in chat
      </Link>
    </div>
  );
}

function SourceDetails({ board, projectId, sourceId }: { board: BoardData; projectId: string; sourceId: string }) {
  const source = board.sources.find((s) => s.id === sourceId);
  if (!source) return <p className="text-xs text-zinc-500">This source is no longer in the knowledge vault.</p>;
  const citedBy = board.citations.filter((c) => c.sourceId === sourceId).length;
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm font-medium text-zinc-900">{source.title}</p>
      {source.summary ? <p className="text-xs text-zinc-600">{source.summary}</p> : null}
      <p className="text-xs text-zinc-500">
        Cited by {citedBy} answer{citedBy === 1 ? "" : "s"}.
      </p>
      <Link
        href={`/projects/${projectId}/knowledge?source=${source.id}`}
        className="self-start rounded-md border border-zinc-300 px-2.5 py-1 text-xs text-zinc-700 hover:bg-zinc-50"
      >
        Open in knowledge
      </Link>
    </div>
  );
}

function NoteDetails({
  board,
  projectId,
  noteId,
  canEdit,
  onChanged,
  onDeleted,
}: {
  board: BoardData;
  projectId: string;
  noteId: string;
  canEdit: boolean;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const trpc = useTRPC();
  const fieldId = useId();
  const note = board.notes.find((n) => n.id === noteId);
  const [text, setText] = useState(note?.text ?? "");
  useEffect(() => setText(note?.text ?? ""), [note?.text]);
  const save = useMutation(trpc.canvas.editNote.mutationOptions({ onSuccess: onChanged }));
  const remove = useMutation(
    trpc.canvas.deleteNote.mutationOptions({
      onSuccess: () => {
        onChanged();
        onDeleted();
      },
    }),
  );
  if (!note) return <p className="text-xs text-zinc-500">This note was deleted.</p>;
  if (!canEdit) return <p className="whitespace-pre-wrap text-sm text-zinc-900">{note.text}</p>;
  return (
    <form
      className="flex flex-col gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ projectId, noteId, text });
      }}
    >
      <label htmlFor={fieldId} className="text-xs font-medium text-zinc-700">
        Note text
      </label>
      <textarea
        id={fieldId}
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={4}
        className="rounded-md border border-zinc-300 px-2 py-1 text-sm focus:border-emerald-500 focus:outline-none"
      />
      {save.error ? <p className="text-xs text-red-600">{save.error.message}</p> : null}
      {remove.error ? <p className="text-xs text-red-600">{remove.error.message}</p> : null}
      <div className="flex gap-2">
        <button
          type="submit"
          disabled={save.isPending || text.trim() === note.text}
          className="rounded-md bg-emerald-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-emerald-700 disabled:opacity-50"
        >
          Save note
        </button>
        <button
          type="button"
          className="rounded-md border border-red-200 px-2.5 py-1 text-xs text-red-700 hover:bg-red-50"
          onClick={() => {
            if (window.confirm("Delete this note and its edges?")) remove.mutate({ projectId, noteId });
          }}
        >
          Delete note
        </button>
      </div>
    </form>
  );
}

function EdgeDetails({ board, edgeId, onChanged, onDeleted }: { board: BoardData; edgeId: string; onChanged: () => void; onDeleted: () => void }) {
  const trpc = useTRPC();
  const projectId = useBoardActions().projectId;
  const labelId = useId();
  const edge = board.edges.find((e) => e.id === edgeId);
  const canEdit = board.role === "editor" || board.role === "owner";
  const [label, setLabel] = useState(edge?.label ?? "");
  const [style, setStyle] = useState<EdgeStyle>((edge?.style as EdgeStyle | undefined) ?? {});
  useEffect(() => {
    setLabel(edge?.label ?? "");
    setStyle((edge?.style as EdgeStyle | undefined) ?? {});
  }, [edge?.label, edge?.style]);
  const save = useMutation(trpc.canvas.updateEdge.mutationOptions({ onSuccess: onChanged }));
  const remove = useMutation(
    trpc.canvas.deleteEdge.mutationOptions({
      onSuccess: () => {
        onChanged();
        onDeleted();
      },
    }),
  );
  if (!edge) return <p className="text-xs text-zinc-500">This edge was deleted.</p>;
  if (!canEdit) return <p className="text-sm text-zinc-900">{edge.label || "An edge without a label."}</p>;
  return (
    <form
      className="flex flex-col gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ projectId, edgeId, label, style });
      }}
    >
      <label htmlFor={labelId} className="text-xs font-medium text-zinc-700">
        Edge label
      </label>
      <input
        id={labelId}
        value={label}
        onChange={(e) => setLabel(e.target.value)}
        maxLength={200}
        className="rounded-md border border-zinc-300 px-2 py-1 text-sm focus:border-emerald-500 focus:outline-none"
      />
      <EdgeStyleFields style={style} onChange={setStyle} />
      {save.error ? <p className="text-xs text-red-600">{save.error.message}</p> : null}
      {remove.error ? <p className="text-xs text-red-600">{remove.error.message}</p> : null}
      <div className="flex gap-2">
        <button type="submit" disabled={save.isPending} className="rounded-md bg-emerald-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-emerald-700">
          Save edge
        </button>
        <button
          type="button"
          className="rounded-md border border-red-200 px-2.5 py-1 text-xs text-red-700 hover:bg-red-50"
          onClick={() => remove.mutate({ projectId, edgeId })}
        >
          Delete edge
        </button>
      </div>
    </form>
  );
}
