"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPC, useTRPCClient } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { ArborMark } from "@/components/ui/arbor-mark";
import { ResendVerification } from "@/components/auth/resend-verification";
import { BranchMenu } from "./branch-menu";
import { Composer } from "./composer";
import { ShareButton } from "@/components/share/share-button";
import { ExportButtons } from "./export-buttons";
import { LiveBubble, PendingQuestion } from "./live-bubble";
import { type MergeChoice, MergeButton } from "./merge-dialog";
import { AdapterPicker } from "./adapter-picker";
import { AgentPicker } from "./agent-picker";
import { ModelPicker } from "./model-picker";
import { placeLive } from "./live-placement";
import { type LiveOverlay, MessageItem } from "./message-item";
import { chatHref, type ChatPermissions, type ThreadData, type ThreadMessage } from "./types";
import { type LiveAnswer, useChatStream } from "./use-chat-stream";
import { useMessageActions } from "./use-message-actions";
import { useAgentChoice } from "./use-agent-choice";
import { useModelChoice } from "./use-model-choice";
import { useStickToBottom } from "./use-stick-to-bottom";
import { parentForSend } from "./send-parent";
import { useThreadLocation, useThreadQuery } from "./use-thread";

type Props = {
  projectId: string;
  chatId: string | null;
  initialBranchId: string | null;
  initialMessageId: string | null;
  permissions: ChatPermissions;
  readOnlyReason: string | null;
  onChatCreated?: (chatId: string) => void;
  /** the thread as the server page loaded it, so a reload mid-answer can attach without another round trip */
  initialThread?: ThreadData;
};

const REFRESH_WAIT_MS = 8_000;

function overlayOf(live: LiveAnswer): LiveOverlay {
  return { text: live.text, phase: live.phase, agent: live.agent, reconnecting: live.state === "reconnecting", finished: live.state === "finished" };
}

export function ChatThread({ projectId, chatId: initialChatId, initialBranchId, initialMessageId, permissions, readOnlyReason, onChatCreated, initialThread }: Props) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [focusMessageId] = useState(initialMessageId);
  const [draft, setDraft] = useState("");
  const [notice, setNoticeState] = useState<{ message: string; code: string | null } | null>(null);
  const setNotice = useCallback((message: string | null, code: string | null = null) => setNoticeState(message === null ? null : { message, code }), []);
  const clearNotice = useCallback(() => setNotice(null), [setNotice]);
  const finishedStreams = useRef(new Set<string>());
  // a refused merge gives nothing back to the composer: its words were the dialog's
  const merging = useRef(false);
  const { chatId, setChatId, branchId, tipMessageId, branchRef, showBranch, refreshThread, whileSwitching, branchForSend } = useThreadLocation({ projectId, initialChatId, initialBranchId });

  const stream = useChatStream({
    projectId,
    onStarted: ({ branchId: started }) => {
      if (started && started !== branchRef.current) showBranch(started);
      else void refreshThread();
    },
    onFinished: async (final) => {
      if (final.streamId) finishedStreams.current.add(final.streamId);
      if (final.error && final.mode === "send") {
        setNotice(final.error, final.errorCode);
        // Nothing was saved: give the person their words back.
        if (!final.userMessageId && final.pendingUserText && !merging.current) setDraft((d) => d || (final.pendingUserText ?? ""));
      }
      // Keep the live text until the saved answer is loaded, but never hang on a slow server.
      await Promise.race([refreshThread(), new Promise((resolve) => setTimeout(resolve, REFRESH_WAIT_MS))]);
    },
  });
  const live = stream.live;
  const streaming = live !== null;
  const { thread, data } = useThreadQuery({
    projectId,
    chatId,
    branchId,
    tipMessageId,
    branchRef,
    showBranch,
    focusMessageId,
    initial: { thread: initialThread, chatId: initialChatId, branchId: initialBranchId },
    streaming,
  });

  // Reload mid-answer, or another member answering here: join the running stream from its first event.
  const activeStreamId = data?.activeStream?.streamId ?? null;
  const activeAssistantId = data?.activeStream?.assistantMessageId ?? null;
  useEffect(() => {
    if (!activeStreamId || streaming || finishedStreams.current.has(activeStreamId)) return;
    void stream.attach(activeStreamId, activeAssistantId);
  }, [activeStreamId, activeAssistantId, streaming, stream.attach]);

  const escalation = useQuery(trpc.chat.escalationStatus.queryOptions({ projectId }, { enabled: permissions.canWrite, staleTime: 60_000 }));

  const messages: ThreadMessage[] = data?.messages ?? [];
  // Chosen before a new chat's first message: sent with it, and the new chat is made with it.
  const [newChatAdapterId, setNewChatAdapterId] = useState<string | null>(null);
  const agentChoice = useAgentChoice({ projectId, chatId, saved: chatId ? data?.chat.agentId : null });
  const model = useModelChoice({
    agentId: agentChoice.agentId,
    projectId,
    chatId,
    saved: chatId ? data?.chat.modelChoice : null,
    parentId: messages.at(-1)?.id ?? null,
    draft,
    enabled: permissions.canWrite && (!chatId || Boolean(data)),
  });
  const { shown, pendingQuestion, inThread: liveInThread, elsewhere: liveElsewhere } = placeLive(messages, live);

  const send = useCallback(
    async (text: string) => {
      setNotice(null);
      setDraft("");
      const fields = { content: text, ...model.requestFields, ...(agentChoice.agentId ? { agentId: agentChoice.agentId } : {}) };
      if (!chatId) {
        // A new chat is made by the POST itself (one round trip); the picker's choice and agent become the chat's.
        await stream.send(
          { branchId: null, parentId: null, ...fields, ...(newChatAdapterId ? { adapterId: newChatAdapterId } : {}) },
          {
            onChat: (made) => {
              setChatId(made);
              onChatCreated?.(made);
              // Stay mounted (the stream lives here) while the address becomes the new chat's.
              window.history.replaceState(null, "", chatHref(projectId, made));
              void queryClient.invalidateQueries(trpc.chat.list.queryFilter());
            },
          },
        );
        return;
      }
      const toBranch = await branchForSend();
      const parentId = await parentForSend({
        branchId: toBranch,
        loaded: data ? { branchId: data.branch.id, lastMessageId: messages.at(-1)?.id ?? null } : null,
        readBranch: async (branch) => {
          const fresh = await queryClient.fetchQuery(trpc.chat.thread.queryOptions({ projectId, chatId, branchId: branch }));
          return { lastMessageId: fresh.messages.at(-1)?.id ?? null };
        },
      });
      await stream.send({ chatId, branchId: toBranch, parentId, ...fields });
    },
    [agentChoice.agentId, branchForSend, chatId, data, messages, model.requestFields, newChatAdapterId, onChatCreated, projectId, queryClient, setChatId, stream.send, trpc],
  );

  const [trashed, setTrashed] = useState<{ trashId: string; messageCount: number } | null>(null);
  const [restoring, setRestoring] = useState(false);
  const actions = useMessageActions({ projectId, chatId, branchId, send: stream.send, showBranch, refreshThread, whileSwitching, clearNotice, onTrashed: setTrashed });

  async function restoreTrashed() {
    if (!trashed) return;
    setRestoring(true);
    try {
      await client.trash.restore.mutate({ projectId, trashId: trashed.trashId });
      setTrashed(null);
      await refreshThread();
    } catch (err) {
      setNotice(err instanceof Error ? err.message : "Could not restore it. Open the trash and try again.");
    } finally {
      setRestoring(false);
    }
  }
  // A merge is a Send from the first branch's tip that names the second branch: the same path, hold and ledger.
  const merge = useCallback(
    async ({ first, second, content }: MergeChoice) => {
      if (!chatId) return;
      setNotice(null);
      merging.current = true;
      try {
        await stream.send({
          chatId,
          branchId: first.id,
          parentId: first.tipMessageId,
          mergeBranchId: second.id,
          content,
          ...model.requestFields,
          ...(agentChoice.agentId ? { agentId: agentChoice.agentId } : {}),
        });
      } finally {
        merging.current = false;
      }
    },
    [agentChoice.agentId, chatId, model.requestFields, setNotice, stream.send],
  );


  useStickToBottom([shown.length, live?.text.length ?? 0, pendingQuestion], focusMessageId && data ? focusMessageId : null);

  const busy = streaming;
  const chatTitle = data?.chat.title ?? (chatId ? "" : "New chat");

  return (
    <section aria-label="Conversation" className="flex min-h-[calc(100vh-14rem)] flex-col">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2 border-b border-zinc-200 pb-3">
        <h2 className="min-w-0 truncate text-base font-semibold text-zinc-900">{chatTitle || <span className="inline-block h-4 w-40 animate-pulse rounded bg-zinc-200" />}</h2>
        {chatId && data ? (
          <div className="flex flex-wrap items-center gap-2">
            <BranchMenu
              branches={data.branches}
              currentId={data.branch.id}
              canWrite={permissions.canWrite}
              onSwitch={(id) => showBranch(id)}
              onRename={async (id, title) => {
                await client.chat.renameBranch.mutate({ projectId, branchId: id, title });
                await refreshThread();
              }}
              onArchive={async (id, archived) => {
                await client.chat.archiveBranch.mutate({ projectId, branchId: id, archived });
                await refreshThread();
              }}
            />
            {permissions.canWrite ? <MergeButton branches={data.branches} currentId={data.branch.id} disabled={streaming} onMerge={(choice) => void merge(choice)} /> : null}
            <ExportButtons projectId={projectId} chatId={chatId} branchId={data.branch.id} chatTitle={data.chat.title} />
            {permissions.canWrite ? <ShareButton projectId={projectId} chatId={chatId} branchId={data.branch.id} branchTitle={data.branch.title} /> : null}
          </div>
        ) : null}
      </div>

      <div className="flex-1 space-y-3 pb-4">
        {chatId && thread.isPending ? (
          <ThreadSkeleton />
        ) : thread.isError && !data ? (
          <Alert tone="error">
            {thread.error.data?.code === "NOT_FOUND" ? "This chat does not exist any more, or you are not a member of its project." : `Could not load this chat: ${thread.error.message}`}
          </Alert>
        ) : shown.length === 0 && !pendingQuestion && !live ? (
          <EmptyState canWrite={permissions.canWrite} />
        ) : (
          <>
            {shown.map((message) => (
              <MessageItem
                key={message.id}
                projectId={projectId}
                message={message}
                live={live && live.assistantMessageId === message.id ? overlayOf(live) : null}
                permissions={permissions}
                busy={busy}
                highlighted={message.id === focusMessageId}
                escalation={escalation.data}
                choices={model.choices}
                actions={actions}
              />
            ))}
            {pendingQuestion ? <PendingQuestion text={pendingQuestion} /> : null}
            {live && !liveInThread && live.mode === "send" ? <LiveBubble live={overlayOf(live)} /> : null}
            {liveElsewhere && live ? (
              <Alert tone="info">
                An answer is being written on another branch of this chat.{" "}
                {live.branchId ? (
                  <button type="button" onClick={() => live.branchId && showBranch(live.branchId)} className="font-medium underline underline-offset-2">
                    Show that branch
                  </button>
                ) : null}
              </Alert>
            ) : null}
          </>
        )}
        {thread.isError && data ? <Alert tone="warning">Lost touch with the server; retrying… ({thread.error.message})</Alert> : null}
      </div>

      <div className="sticky bottom-0 space-y-2 bg-zinc-50/95 pt-2 pb-4 backdrop-blur">
        {trashed ? (
          <div role="status" className="flex flex-wrap items-center gap-2 rounded-md bg-zinc-800 px-3 py-2 text-sm text-white">
            <span className="flex-1">
              Moved to the trash: {trashed.messageCount === 1 ? "1 message" : `${trashed.messageCount} messages`}. Editors can restore it for 30 days.
            </span>
            <button type="button" disabled={restoring} onClick={() => void restoreTrashed()} className="rounded px-2 py-1 font-medium text-emerald-300 hover:bg-zinc-700 disabled:opacity-60">
              {restoring ? "Restoring…" : "Undo"}
            </button>
            <Link href={`/projects/${projectId}/trash`} className="rounded px-2 py-1 font-medium underline underline-offset-2 hover:bg-zinc-700">
              Open the trash
            </Link>
            <button type="button" onClick={() => setTrashed(null)} aria-label="Dismiss trash notice" className="rounded px-2 py-1 text-zinc-300 hover:bg-zinc-700">
              ×
            </button>
          </div>
        ) : null}
        {notice ? (
          <div className="flex items-start gap-2">
            <div className="flex-1">
              <Alert tone="error">
                {notice.message}
                {notice.code === "forbidden:email_unverified" ? <ResendVerification /> : null}
              </Alert>
            </div>
            <button type="button" onClick={() => setNotice(null)} className="rounded px-2 py-2 text-xs text-zinc-500 hover:bg-zinc-100">
              Dismiss
            </button>
          </div>
        ) : null}
        <Composer
          draft={draft}
          onDraftChange={setDraft}
          onSend={(text) => void send(text)}
          onStop={() => void stream.stop()}
          streaming={streaming}
          stopping={live?.state === "stopping"}
          canStop={permissions.canWrite && Boolean(live?.streamId || live?.mode === "send")}
          readOnlyReason={readOnlyReason}
          autoFocus={!focusMessageId}
          toolbar={
            <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
            <AgentPicker agents={agentChoice.agents} agentId={agentChoice.agentId} onChange={agentChoice.setAgentId} disabled={streaming} />
            {chatId ? (
              <AdapterPicker projectId={projectId} target={{ kind: "chat", chatId }} saved={data?.chat.adapterId} disabled={streaming} />
            ) : (
              <AdapterPicker projectId={projectId} target={{ kind: "new-chat", onChoose: setNewChatAdapterId }} saved={newChatAdapterId} disabled={streaming} />
            )}
            <ModelPicker
              choices={model.choices}
              choice={model.choice}
              onChange={model.setChoice}
              estimate={model.estimate}
              estimating={model.estimating}
              estimateError={model.estimateError}
              disabled={streaming}
            />
            </div>
          }
        />
      </div>
    </section>
  );
}

function ThreadSkeleton() {
  return (
    <div aria-label="Loading the conversation" role="status" className="space-y-3">
      {[0, 1].map((i) => (
        <div key={i} className="space-y-3">
          <div className="ml-auto h-14 w-2/3 animate-pulse rounded-lg bg-zinc-200/70" />
          <div className="h-28 animate-pulse rounded-lg bg-zinc-200/50" />
        </div>
      ))}
    </div>
  );
}

function EmptyState({ canWrite }: { canWrite: boolean }) {
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <ArborMark className="mx-auto h-10 w-10" />
      <h3 className="mt-3 text-lg font-semibold text-zinc-900">{canWrite ? "Ask anything — answers come first from your vault…" : "Nothing has been asked here yet."}</h3>
      {canWrite ? (
        <ul className="mt-3 space-y-1 text-sm text-zinc-600">
          <li>The local tier answers from your project's knowledge, with sources, at no cost.</li>
          <li>
            Press <strong className="font-medium">Escalate</strong> on any answer to ask Claude as well — both answers stay side by side.
          </li>
          <li>
            <strong className="font-medium">Fork</strong> any message to explore another line of thought without losing this one.
          </li>
        </ul>
      ) : (
        <p className="mt-2 text-sm text-zinc-600">When an editor starts a conversation it will appear here.</p>
      )}
    </div>
  );
}
