"use client";

import { Handle, type NodeProps, Position } from "@xyflow/react";
import { memo } from "react";
import { useBoardActions } from "./board-actions";
import { ChatIcon, CommentIcon, DocumentIcon, ForkIcon, LockIcon, NoteIcon, PersonIcon, SparkIcon } from "./icons";
import { NODE_HEIGHT, NODE_WIDTH } from "./layout";
import type { ChatFlowNode, FrameFlowNode, MessageFlowNode, NoteFlowNode, SourceFlowNode } from "./to-flow";

/**
 * The board's node components. Memoised: React Flow re-renders a node only
 * when its data object changes, which matters at thousands of nodes.
 */

const handleClass = "!h-2.5 !w-2.5 !border-2 !border-white !bg-zinc-400";

function Handles({ connectable }: { connectable: boolean }) {
  return (
    <>
      <Handle type="target" position={Position.Top} isConnectable={connectable} className={handleClass} />
      <Handle type="source" position={Position.Bottom} isConnectable={connectable} className={handleClass} />
    </>
  );
}

function CommentBadge({ targetKey, total, open, label }: { targetKey: string; total: number; open: number; label: string }) {
  const { select } = useBoardActions();
  return (
    <button
      type="button"
      aria-label={`Comments on this ${label} (${total})`}
      title="Comments"
      className={`nodrag rounded px-1.5 py-0.5 text-[11px] leading-none ${
        open > 0 ? "bg-amber-100 text-amber-800" : total > 0 ? "bg-zinc-100 text-zinc-600" : "text-zinc-400 hover:bg-zinc-100"
      }`}
      onClick={(e) => {
        e.stopPropagation();
        select(targetKey);
      }}
    >
      <span className="flex items-center gap-0.5">
        <CommentIcon />
        {total}
      </span>
    </button>
  );
}

function LockMark({ locked }: { locked: boolean }) {
  return locked ? (
    <span title="Position locked" className="text-zinc-500">
      <LockIcon label="Locked" />
    </span>
  ) : null;
}

export const MessageNode = memo(function MessageNode({ id, data, selected, isConnectable }: NodeProps<MessageFlowNode>) {
  const { toggleSubtree } = useBoardActions();
  const m = data.message;
  const isUser = m.role === "user";
  const statusNote = m.deleted ? "deleted" : m.status !== "complete" ? m.status : null;
  return (
    <div
      data-testid="canvas-message"
      data-message-id={m.id}
      data-current={data.current ? "true" : "false"}
      data-branch-color={data.color}
      className={`relative flex flex-col rounded-lg border bg-white px-2.5 py-1.5 text-left shadow-sm transition-shadow ${
        selected ? "ring-2 ring-emerald-500" : data.current ? "ring-1 ring-zinc-300" : ""
      } ${m.deleted ? "opacity-60" : ""}`}
      style={{ width: NODE_WIDTH, height: NODE_HEIGHT, borderColor: data.color, borderLeftWidth: 5 }}
    >
      <Handles connectable={isConnectable} />
      <div className="flex items-center gap-1.5 text-[11px] text-zinc-500">
        {isUser ? <PersonIcon label="Person" /> : <SparkIcon label="Assistant" className="h-3 w-3 text-emerald-600" />}
        <span className="font-medium text-zinc-700">{isUser ? "You" : "Answer"}</span>
        {m.tier ? (
          <span className={`rounded px-1 text-[10px] font-medium uppercase ${m.tier === "cloud" ? "bg-violet-100 text-violet-700" : "bg-zinc-100 text-zinc-600"}`}>
            {m.tier}
          </span>
        ) : null}
        {m.agent ? (
          <span className="max-w-24 truncate rounded bg-sky-100 px-1 text-[10px] font-medium text-sky-800" title={`Agent: ${m.agent}`}>
            {m.agent}
          </span>
        ) : null}
        {data.fork ? (
          <span className="flex items-center gap-0.5 rounded bg-amber-100 px-1 text-[10px] font-medium text-amber-800" title="Fork point: the conversation branches here">
            <ForkIcon className="h-2.5 w-2.5" />
            fork
          </span>
        ) : null}
        {statusNote ? <span className="text-[10px] italic text-zinc-400">{statusNote}</span> : null}
        <span className="ml-auto flex items-center gap-1">
          <LockMark locked={data.locked} />
          <CommentBadge targetKey={id} total={data.comments} open={data.openComments} label="message" />
        </span>
      </div>
      <p className="mt-0.5 line-clamp-2 text-xs leading-snug text-zinc-800">{m.deleted ? "This message was deleted." : m.preview || "…"}</p>
      {data.childCount > 0 ? (
        <button
          type="button"
          className="nodrag absolute -bottom-3 left-1/2 -translate-x-1/2 rounded-full border border-zinc-300 bg-white px-1.5 text-[10px] leading-4 text-zinc-600 hover:bg-zinc-50"
          aria-label={data.collapsed ? `Expand ${data.hiddenDescendants} hidden replies` : "Collapse replies"}
          onClick={(e) => {
            e.stopPropagation();
            toggleSubtree(m.id);
          }}
        >
          {data.collapsed ? `+${data.hiddenDescendants}` : "−"}
        </button>
      ) : null}
    </div>
  );
});

export const ChatNode = memo(function ChatNode({ data, selected }: NodeProps<ChatFlowNode>) {
  const { toggleChat } = useBoardActions();
  return (
    <div
      data-testid="canvas-chat"
      className={`flex items-center gap-2 rounded-lg border-2 bg-zinc-50 px-3 py-2 shadow-sm ${selected ? "ring-2 ring-emerald-500" : ""}`}
      style={{ width: NODE_WIDTH, borderColor: data.color }}
      title={data.summary || undefined}
    >
      <Handle type="source" position={Position.Bottom} isConnectable={false} className="!opacity-0" />
      <ChatIcon className="h-4 w-4 shrink-0 text-zinc-500" />
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-semibold text-zinc-900">{data.title}</p>
        <p className="truncate text-[11px] text-zinc-500">
          {data.messageCount} message{data.messageCount === 1 ? "" : "s"}
          {data.keywords.length > 0 ? <span> · {data.keywords.slice(0, 4).join(", ")}</span> : null}
        </p>
        {data.summary ? <p className="sr-only">Summary: {data.summary}</p> : null}
      </div>
      <LockMark locked={data.locked} />
      <button
        type="button"
        className="nodrag rounded border border-zinc-300 bg-white px-1.5 text-xs text-zinc-700 hover:bg-zinc-100"
        aria-label={`${data.collapsed ? "Expand" : "Collapse"} chat ${data.title}`}
        onClick={(e) => {
          e.stopPropagation();
          toggleChat(data.chatId);
        }}
      >
        {data.collapsed ? "Expand" : "Collapse"}
      </button>
    </div>
  );
});

export const SourceNode = memo(function SourceNode({ id, data, selected, isConnectable }: NodeProps<SourceFlowNode>) {
  return (
    <div
      data-testid="canvas-source"
      className={`rounded-lg border border-emerald-300 bg-emerald-50 px-2.5 py-2 shadow-sm ${selected ? "ring-2 ring-emerald-500" : ""}`}
      style={{ width: NODE_WIDTH }}
    >
      <Handles connectable={isConnectable} />
      <div className="flex items-center gap-1.5 text-[11px] text-emerald-800">
        <DocumentIcon />
        <span className="font-medium">Source</span>
        <span className="ml-auto flex items-center gap-1">
          <LockMark locked={data.locked} />
          <CommentBadge targetKey={id} total={data.comments} open={data.openComments} label="source" />
        </span>
      </div>
      <p className="mt-0.5 line-clamp-2 text-xs font-medium text-zinc-900">{data.title}</p>
    </div>
  );
});

export const NoteNode = memo(function NoteNode({ id, data, selected, isConnectable }: NodeProps<NoteFlowNode>) {
  return (
    <div
      data-testid="canvas-note"
      className={`rounded-lg border border-yellow-300 bg-yellow-50 px-2.5 py-2 shadow-sm ${selected ? "ring-2 ring-emerald-500" : ""}`}
      style={{ width: NODE_WIDTH }}
    >
      <Handles connectable={isConnectable} />
      <div className="flex items-center gap-1.5 text-[11px] text-yellow-800">
        <NoteIcon />
        <span className="font-medium">Note</span>
        <span className="ml-auto flex items-center gap-1">
          <LockMark locked={data.locked} />
          <CommentBadge targetKey={id} total={data.comments} open={data.openComments} label="note" />
        </span>
      </div>
      <p className="mt-0.5 whitespace-pre-wrap break-words text-xs text-zinc-900">{data.text}</p>
    </div>
  );
});

/**
 * A chat's group frame. Solid, not dashed: a frame is as big as its chat's
 * tree (tens of thousands of pixels), and Chromium repaints a dashed rounded
 * border that size on every pan frame — it halved the frame rate at 5,000 messages.
 */
export const FrameNode = memo(function FrameNode({ width, height }: NodeProps<FrameFlowNode>) {
  return <div aria-hidden className="rounded-2xl border border-zinc-300 bg-zinc-50/40" style={{ width, height }} />;
});

export const nodeTypes = { message: MessageNode, chat: ChatNode, source: SourceNode, note: NoteNode, frame: FrameNode };
