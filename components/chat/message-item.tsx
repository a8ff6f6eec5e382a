"use client";

import Link from "next/link";
import { memo, useId, useMemo, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { ThumbDownIcon, ThumbUpIcon } from "./icons";
import { MessageMarkdown } from "./markdown";
import { MessageBadge } from "./message-badge";
import type { CitationLink } from "./remark-citations";
import { AnswerDetailsPanel } from "./answer-details";
import { EscalateMenu } from "./escalate-menu";
import { modelLabel } from "./model-labels";
import { SiblingCosts } from "./sibling-costs";
import { SiblingSwitcher } from "./sibling-switcher";
import type { StreamPhase } from "@/lib/chat-protocol";
import { PHASE_LABEL } from "./phase-labels";
import { type ChatPermissions, chatHref, type ModelChoices, type ThreadMessage } from "./types";

export type LiveOverlay = { text: string; phase: StreamPhase | null; agent: string | null; reconnecting: boolean; finished: boolean };

export type MessageActions = {
  fork: (message: ThreadMessage) => Promise<void>;
  edit: (message: ThreadMessage, text: string) => void;
  regenerate: (message: ThreadMessage) => void;
  /** answer the question again in the cloud, as a sibling; `model` null = the project's default */
  escalate: (message: ThreadMessage, model: string | null) => void;
  pickSibling: (message: ThreadMessage, siblingId: string) => Promise<void>;
  feedback: (message: ThreadMessage, value: "good" | "bad" | null) => Promise<void>;
  /** the message and everything below it go to the project's trash (an editor restores them from there) */
  trash: (message: ThreadMessage) => Promise<void>;
};

type Props = {
  projectId: string;
  message: ThreadMessage;
  live: LiveOverlay | null;
  permissions: ChatPermissions;
  /** an answer is being written in this chat, so nothing new can be asked yet */
  busy: boolean;
  highlighted: boolean;
  escalation: { cloudConfigured: boolean; howTo: string } | undefined;
  /** the models "Escalate to…" offers and their labels */
  choices: ModelChoices | undefined;
  actions: MessageActions;
};

/** Why the verifying phase doubted a citation, in the words the answer shows. */
const CITATION_PROBLEM = {
  no_such_source: "the model was given no source with this number",
  quote_not_found: "the quoted words are not in this source",
} as const;

const ACTION = "inline-flex items-center gap-1 rounded px-2 py-1 text-xs font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 disabled:cursor-not-allowed disabled:text-zinc-300 disabled:hover:bg-transparent";

function MessageItemView({ projectId, message, live, permissions, busy, highlighted, escalation, choices, actions }: Props) {
  const isUser = message.role === "user";
  const streaming = live !== null || message.status === "streaming";
  const [editing, setEditing] = useState(false);
  const [showHowTo, setShowHowTo] = useState(false);
  const [showDetails, setShowDetails] = useState(false);
  const detailsId = useId();
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const citationLinks = useMemo(() => {
    const map = new Map<number, CitationLink>();
    for (const c of message.citations) {
      // A deleted source keeps its number but has nothing left to open.
      const href = c.sourceId && c.chunkId ? knowledgeHref(projectId, c.sourceId, c.chunkId) : null;
      const unsupported = c.problem ? CITATION_PROBLEM[c.problem] : undefined;
      if (href || unsupported) map.set(c.number, { href, title: c.sourceTitle, unsupported });
    }
    return map;
  }, [message.citations, projectId]);

  async function run(name: string, work: () => Promise<void>) {
    setPending(name);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err instanceof Error ? err.message : "That did not work. Please try again.");
    } finally {
      setPending(null);
    }
  }

  function onEscalate() {
    if (escalation && !escalation.cloudConfigured) {
      setShowHowTo((v) => !v);
      return;
    }
    actions.escalate(message, null);
  }

  const text = live ? live.text : message.content;
  const siblingIndex = Math.max(0, message.siblingIndex);

  return (
    <article
      id={`message-${message.id}`}
      aria-label={message.join ? "Merge" : isUser ? "Question" : "Answer"}
      aria-busy={streaming || undefined}
      className={`group scroll-mt-24 rounded-lg border px-4 py-3 transition-colors ${
        isUser ? "border-zinc-200 bg-zinc-100/70" : "border-zinc-200 bg-white"
      } ${highlighted ? "ring-2 ring-emerald-500" : ""}`}
    >
      <header className="mb-1.5 flex items-center justify-between gap-2">
        <span className="text-xs font-semibold uppercase tracking-wide text-zinc-500">
          {message.join ? "Merge" : isUser ? "Question" : "Answer"}
          {!isUser && message.agentSnapshot ? (
            <span className="ml-2 rounded bg-sky-50 px-1.5 py-0.5 font-medium normal-case tracking-normal text-sky-800 ring-1 ring-inset ring-sky-200" title="The agent that wrote this answer, with its settings as they were then">
              Agent: {message.agentSnapshot.name}
            </span>
          ) : null}
        </span>
        <SiblingSwitcher
          index={siblingIndex}
          count={message.siblingIds.length}
          disabled={pending !== null}
          onPick={(index) => {
            const target = message.siblingIds[index];
            if (target) void run("sibling", () => actions.pickSibling(message, target));
          }}
        />
      </header>

      {message.join ? <MergeLine projectId={projectId} chatId={message.chatId} join={message.join} /> : null}
      {editing ? (
        <EditForm
          initial={message.content}
          onCancel={() => setEditing(false)}
          onSave={(value) => {
            setEditing(false);
            actions.edit(message, value);
          }}
        />
      ) : isUser ? (
        <p className="whitespace-pre-wrap break-words text-sm leading-relaxed text-zinc-900">{message.content}</p>
      ) : text ? (
        <div className="text-sm text-zinc-900">
          <MessageMarkdown text={text} citations={citationLinks} />
        </div>
      ) : streaming ? null : (
        <p className="text-sm italic text-zinc-500">No text was produced.</p>
      )}

      {!isUser && streaming ? <PhaseLine live={live} /> : null}
      {!isUser ? <StatusNote message={message} streaming={streaming} /> : null}

      {!isUser && message.citations.length > 0 && !streaming ? (
        <div className="mt-3 border-t border-zinc-100 pt-2">
          <h3 className="text-xs font-semibold text-zinc-500">Sources</h3>
          <ol className="mt-1 space-y-0.5 text-xs">
            {[...message.citations]
              .sort((a, b) => a.number - b.number)
              .map((c) => (
                <li key={`${c.number}-${c.chunkId}`}>
                  {c.sourceId && c.chunkId ? (
                    <Link href={knowledgeHref(projectId, c.sourceId, c.chunkId)} className="text-emerald-800 underline-offset-2 hover:underline">
                      [{c.number}] {c.sourceTitle}
                    </Link>
                  ) : (
                    <span className="text-zinc-500">
                      [{c.number}] {c.sourceTitle}
                    </span>
                  )}
                  {c.problem ? (
                    <span className="ml-1.5 font-medium text-red-700">Unsupported — {CITATION_PROBLEM[c.problem]}</span>
                  ) : (
                    <span className="ml-1.5 text-zinc-400">{Math.round(c.relevance * 100)}% match</span>
                  )}
                </li>
              ))}
          </ol>
        </div>
      ) : null}

      {!isUser && !streaming ? (
        <div className="mt-3">
          <MessageBadge
            tier={message.tier}
            model={modelLabel(message.model, choices)}
            tokensIn={message.tokensIn}
            tokensOut={message.tokensOut}
            costMicros={message.costMicros}
            latencyMs={message.latencyMs}
          />
          {message.adapterName ? (
            <p className="mt-1 text-xs text-zinc-600" data-testid="message-adapter">
              {message.loraApplied
                ? `LoRA applied: ${message.adapterName}`
                : `Adapter ${message.adapterName} not applied${message.tier === "cloud" ? " (Claude answered; adapters run on the local tier only)" : " (no local model server)"}`}
            </p>
          ) : null}
          <SiblingCosts message={message} choices={choices} />
        </div>
      ) : null}

      {!streaming && !editing ? (
        <div className="mt-2 flex flex-wrap items-center gap-0.5 opacity-90 group-focus-within:opacity-100 group-hover:opacity-100">
          {permissions.canWrite ? (
            <button type="button" className={ACTION} disabled={pending !== null} onClick={() => run("fork", () => actions.fork(message))}>
              {pending === "fork" ? "Forking…" : "Fork"}
            </button>
          ) : null}
          {/* editing a merge would lose its second line; merge again instead */}
          {permissions.canWrite && isUser && !message.join ? (
            <button type="button" className={ACTION} disabled={busy || pending !== null} onClick={() => setEditing(true)}>
              Edit
            </button>
          ) : null}
          {permissions.canWrite && !isUser ? (
            <button type="button" className={ACTION} disabled={busy || pending !== null} onClick={() => actions.regenerate(message)}>
              Regenerate
            </button>
          ) : null}
          {permissions.canWrite && !isUser && message.tier !== "cloud" ? (
            <button type="button" className={ACTION} disabled={busy || pending !== null} onClick={onEscalate} aria-expanded={escalation?.cloudConfigured ? undefined : showHowTo}>
              Escalate
            </button>
          ) : null}
          {permissions.canWrite && !isUser && message.parentId && escalation?.cloudConfigured ? (
            <EscalateMenu
              projectId={projectId}
              chatId={message.chatId}
              questionId={message.parentId}
              currentModel={message.tier === "cloud" ? message.model : null}
              choices={choices}
              disabled={busy || pending !== null}
              className={ACTION}
              onPick={(model) => actions.escalate(message, model)}
            />
          ) : null}
          {permissions.canGiveFeedback && !isUser ? (
            <>
              <FeedbackButton label="Good answer" icon={<ThumbUpIcon />} pressed={message.feedback === "good"} disabled={pending !== null} onToggle={(on) => run("feedback", () => actions.feedback(message, on ? "good" : null))} />
              <FeedbackButton label="Bad answer" icon={<ThumbDownIcon />} pressed={message.feedback === "bad"} disabled={pending !== null} onToggle={(on) => run("feedback", () => actions.feedback(message, on ? "bad" : null))} />
            </>
          ) : null}
          {!isUser ? (
            <button type="button" className={ACTION} aria-expanded={showDetails} aria-controls={showDetails ? detailsId : undefined} onClick={() => setShowDetails((v) => !v)}>
              Details
            </button>
          ) : null}
          <Link href={`/projects/${projectId}/canvas?focus=m:${message.id}`} className={ACTION}>
            Show on canvas
          </Link>
          {permissions.canWrite ? (
            <button
              type="button"
              className={ACTION}
              disabled={pending !== null}
              title="Move this message and every reply below it to the project's trash"
              onClick={() => run("trash", () => actions.trash(message))}
            >
              {pending === "trash" ? "Moving to trash…" : "Move to trash"}
            </button>
          ) : null}
        </div>
      ) : null}
      {showDetails && !isUser && !streaming ? <AnswerDetailsPanel projectId={projectId} messageId={message.id} id={detailsId} /> : null}

      {showHowTo && escalation ? (
        <div className="mt-2">
          <Alert tone="info">
            <strong className="font-medium">Claude is not set up for this project yet.</strong> {escalation.howTo}
          </Alert>
        </div>
      ) : null}
      {error ? (
        <div className="mt-2">
          <Alert tone="error">{error}</Alert>
        </div>
      ) : null}
    </article>
  );
}

export const MessageItem = memo(MessageItemView);

export function knowledgeHref(projectId: string, sourceId: string, chunkId: string) {
  return `/projects/${projectId}/knowledge?source=${encodeURIComponent(sourceId)}&chunk=${encodeURIComponent(chunkId)}`;
}

export function PhaseLine({ live }: { live: LiveOverlay | null }) {
  let label = "Waiting for the answer…";
  if (live?.finished) label = "Saving the answer…";
  else if (live?.reconnecting) label = "Connection dropped — reconnecting…";
  else if (live?.phase) label = PHASE_LABEL[live.phase];
  return (
    <p role="status" aria-live="polite" className="mt-2 flex items-center gap-2 text-xs text-zinc-500">
      <span aria-hidden className="inline-block size-1.5 animate-pulse rounded-full bg-emerald-500" />
      {live?.agent ? <span className="font-medium text-zinc-600">{live.agent}</span> : null}
      <span>{label}</span>
    </p>
  );
}

function StatusNote({ message, streaming }: { message: ThreadMessage; streaming: boolean }) {
  if (streaming) return null;
  if (message.status === "stopped") return <p className="mt-2 text-xs text-amber-700">Stopped — this is the part written before Stop was pressed.</p>;
  if (message.status === "interrupted")
    return <p className="mt-2 text-xs text-amber-700">Interrupted — the server writing this answer stopped before it finished. What it wrote is kept; Regenerate to get a full answer.</p>;
  if (message.status === "error")
    return (
      <p className="mt-2 text-xs text-red-700">
        This answer failed{message.error ? `: ${message.error}` : "."} Regenerate or Escalate to try again.
      </p>
    );
  return null;
}

function FeedbackButton({ label, icon, pressed, disabled, onToggle }: { label: string; icon: React.ReactNode; pressed: boolean; disabled: boolean; onToggle: (on: boolean) => void }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      disabled={disabled}
      onClick={() => onToggle(!pressed)}
      className={`${ACTION} ${pressed ? "bg-emerald-50 text-emerald-800 ring-1 ring-inset ring-emerald-300" : ""}`}
    >
      {icon}
    </button>
  );
}

function EditForm({ initial, onSave, onCancel }: { initial: string; onSave: (text: string) => void; onCancel: () => void }) {
  const id = useId();
  const [value, setValue] = useState(initial);
  const clean = value.trim();
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (clean) onSave(clean);
      }}
      className="space-y-2"
    >
      <label htmlFor={id} className="sr-only">
        Edit message
      </label>
      <textarea
        id={id}
        value={value}
        autoFocus
        rows={Math.min(10, Math.max(2, value.split("\n").length))}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") onCancel();
          if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            if (clean) onSave(clean);
          }
        }}
        className={inputClass}
      />
      <div className="flex justify-end gap-2">
        <button type="button" onClick={onCancel} className={buttonClass("ghost", "py-1.5")}>
          Cancel
        </button>
        <button type="submit" disabled={!clean || clean === initial.trim()} className={buttonClass("primary", "py-1.5")}>
          Save and answer
        </button>
      </div>
    </form>
  );
}

/** Which two branches a merge message joins, each a link to open that line. */
function MergeLine({ projectId, chatId, join }: { projectId: string; chatId: string; join: NonNullable<ThreadMessage["join"]> }) {
  const side = (b: typeof join.first, fallback: string) =>
    b ? (
      <Link href={chatHref(projectId, chatId, { branch: b.branchId })} className="font-medium text-violet-800 underline-offset-2 hover:underline">
        {b.title}
      </Link>
    ) : (
      <span className="italic">{fallback}</span>
    );
  return (
    <p className="mb-1.5 rounded bg-violet-50 px-2 py-1 text-xs text-violet-900 ring-1 ring-inset ring-violet-200">
      Joins {side(join.first, "a branch that no longer exists")} and {side(join.second, "a branch that no longer exists")}; the answer below saw both lines.
    </p>
  );
}
