"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import type { CommentView } from "./types";
import { MentionSuggestions } from "@/components/notify/mention-suggestions";
import { LocalTime } from "@/components/providers/display";

/** The comment threads of one board node: read for everyone, write for commenters and above. */
export function CommentThread({
  projectId,
  targetKey,
  canComment,
  isOwner,
  userId,
  onChanged,
}: {
  projectId: string;
  targetKey: string;
  canComment: boolean;
  isOwner: boolean;
  userId: string;
  onChanged: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const queryOptions = trpc.canvas.comments.queryOptions({ projectId, targetKey }, { refetchInterval: 3000, staleTime: 0 });
  const { data, error, isPending } = useQuery(queryOptions);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: queryOptions.queryKey });
    onChanged();
  };
  const add = useMutation(trpc.canvas.addComment.mutationOptions({ onSuccess: refresh }));

  const threads = groupThreads(data ?? []);
  return (
    <section aria-label="Comments" className="flex flex-col gap-3">
      <h3 className="text-sm font-semibold text-zinc-900">Comments</h3>
      {isPending ? <p className="text-xs text-zinc-500">Loading comments…</p> : null}
      {error ? <p className="text-xs text-red-600">{error.message}</p> : null}
      {!isPending && threads.length === 0 ? (
        <p className="text-xs text-zinc-500">{canComment ? "No comments yet. Start a thread below." : "No comments yet."}</p>
      ) : null}
      {threads.map((t) => (
        <Thread
          key={t.root.id}
          root={t.root}
          replies={t.replies}
          projectId={projectId}
          targetKey={targetKey}
          canComment={canComment}
          isOwner={isOwner}
          userId={userId}
          onChanged={refresh}
        />
      ))}
      {canComment ? (
        <CommentForm
          label="Add a comment"
          submitLabel="Comment"
          pending={add.isPending}
          error={add.error?.message}
          onSubmit={(body) => add.mutateAsync({ projectId, targetKey, body })}
          projectId={projectId}
        />
      ) : (
        <p className="text-xs text-zinc-500">Viewers can read comments; ask the owner for commenter access to write.</p>
      )}
    </section>
  );
}

function groupThreads(all: CommentView[]) {
  const roots = all.filter((c) => c.threadId === null);
  return roots.map((root) => ({ root, replies: all.filter((c) => c.threadId === root.id) }));
}

function Thread(props: {
  root: CommentView;
  replies: CommentView[];
  projectId: string;
  targetKey: string;
  canComment: boolean;
  isOwner: boolean;
  userId: string;
  onChanged: () => void;
}) {
  const { root, replies, projectId, targetKey, canComment, onChanged } = props;
  const trpc = useTRPC();
  const [replying, setReplying] = useState(false);
  const reply = useMutation(trpc.canvas.addComment.mutationOptions({ onSuccess: onChanged }));
  const resolve = useMutation(trpc.canvas.resolveComment.mutationOptions({ onSuccess: onChanged }));
  const resolved = root.resolvedAt !== null;
  const visibleReplies = replies.filter((r) => !r.deleted);
  if (root.deleted && visibleReplies.length === 0) return null;
  return (
    <article
      aria-label={resolved ? "Resolved thread" : "Open thread"}
      className={`rounded-lg border p-2.5 ${resolved ? "border-zinc-200 bg-zinc-50" : "border-amber-200 bg-white"}`}
    >
      {resolved ? <p className="mb-1 text-[11px] font-medium text-emerald-700">✓ Resolved</p> : null}
      <CommentItem comment={root} {...props} />
      {visibleReplies.length > 0 ? (
        <ul className="mt-2 flex flex-col gap-2 border-l-2 border-zinc-100 pl-3">
          {visibleReplies.map((r) => (
            <li key={r.id}>
              <CommentItem comment={r} {...props} />
            </li>
          ))}
        </ul>
      ) : null}
      {canComment ? (
        <div className="mt-2 flex flex-wrap gap-2">
          {!root.deleted ? (
            <button
              type="button"
              className="text-xs font-medium text-emerald-700 hover:underline"
              onClick={() => resolve.mutate({ projectId, commentId: root.id, resolved: !resolved })}
              disabled={resolve.isPending}
            >
              {resolved ? "Reopen" : "Resolve"}
            </button>
          ) : null}
          {!root.deleted ? (
            <button type="button" className="text-xs text-zinc-600 hover:underline" onClick={() => setReplying((v) => !v)}>
              Reply
            </button>
          ) : null}
        </div>
      ) : null}
      {resolve.error ? <p className="text-xs text-red-600">{resolve.error.message}</p> : null}
      {replying ? (
        <div className="mt-2">
          <CommentForm
            label="Reply"
            submitLabel="Send reply"
            pending={reply.isPending}
            error={reply.error?.message}
            projectId={projectId}
            onSubmit={async (body) => {
              await reply.mutateAsync({ projectId, targetKey, body, threadId: root.id });
              setReplying(false);
            }}
          />
        </div>
      ) : null}
    </article>
  );
}

function CommentItem({
  comment,
  projectId,
  canComment,
  isOwner,
  userId,
  onChanged,
}: {
  comment: CommentView;
  projectId: string;
  canComment: boolean;
  isOwner: boolean;
  userId: string;
  onChanged: () => void;
}) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const edit = useMutation(trpc.canvas.editComment.mutationOptions({ onSuccess: onChanged }));
  const remove = useMutation(trpc.canvas.deleteComment.mutationOptions({ onSuccess: onChanged }));
  if (comment.deleted) return <p className="text-xs italic text-zinc-400">Comment deleted.</p>;
  const mine = comment.authorId === userId;
  return (
    <div className="text-xs">
      <p className="text-[11px] text-zinc-500">
        <span className="font-medium text-zinc-800">{comment.authorName ?? "Someone"}</span> · <LocalTime date={comment.createdAt} />
        {comment.edited ? " · edited" : ""}
      </p>
      {editing ? (
        <CommentForm
          label="Edit comment"
          submitLabel="Save comment"
          initial={comment.body}
          pending={edit.isPending}
          error={edit.error?.message}
          onSubmit={async (body) => {
            await edit.mutateAsync({ projectId, commentId: comment.id, body });
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <p className="mt-0.5 whitespace-pre-wrap break-words text-zinc-900">{comment.body}</p>
      )}
      {canComment && !editing && (mine || isOwner) ? (
        <div className="mt-1 flex gap-2">
          {mine ? (
            <button type="button" className="text-[11px] text-zinc-500 hover:underline" onClick={() => setEditing(true)}>
              Edit
            </button>
          ) : null}
          <button
            type="button"
            className="text-[11px] text-red-600 hover:underline"
            onClick={() => {
              if (window.confirm("Delete this comment?")) remove.mutate({ projectId, commentId: comment.id });
            }}
          >
            Delete
          </button>
        </div>
      ) : null}
      {remove.error ? <p className="text-red-600">{remove.error.message}</p> : null}
    </div>
  );
}

function CommentForm({
  label,
  submitLabel,
  initial = "",
  pending,
  error,
  onSubmit,
  onCancel,
  projectId,
}: {
  label: string;
  submitLabel: string;
  initial?: string;
  pending: boolean;
  error?: string;
  onSubmit: (body: string) => Promise<unknown>;
  onCancel?: () => void;
  /** offers @mentions of this project's members while typing */
  projectId?: string;
}) {
  const id = useId();
  const [body, setBody] = useState(initial);
  return (
    <form
      className="flex flex-col gap-1.5"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!body.trim()) return;
        try {
          await onSubmit(body);
          setBody("");
        } catch {
          // the mutation's error is shown below the form
        }
      }}
    >
      <label htmlFor={id} className="text-xs font-medium text-zinc-700">
        {label}
      </label>
      <textarea
        id={id}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        rows={2}
        className="rounded-md border border-zinc-300 px-2 py-1 text-xs focus:border-emerald-500 focus:outline-none"
      />
      {projectId ? <MentionSuggestions projectId={projectId} text={body} onPick={setBody} /> : null}
      {error ? <p className="text-xs text-red-600">{error}</p> : null}
      <div className="flex gap-2">
        <button
          type="submit"
          disabled={pending || !body.trim()}
          className="rounded-md bg-emerald-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-emerald-700 disabled:opacity-50"
        >
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className="text-xs text-zinc-600 hover:underline" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
