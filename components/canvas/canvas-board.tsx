"use client";

import "@xyflow/react/dist/style.css";
import { useMutation } from "@tanstack/react-query";
import { Background, ControlButton, Controls, type Edge, Panel, ReactFlow, ReactFlowProvider, useReactFlow } from "@xyflow/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Suspense, use, useCallback, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { roleAtLeast } from "@/lib/roles";
import { type BoardActions, BoardActionsContext } from "./board-actions";
import { messageAt } from "./board-scene";
import { boardFromWire } from "./board-wire";
import { EdgeDialog } from "./edge-dialog";
import { nodeTypes } from "./flow-nodes";
import { HoverPreview } from "./hover-preview";
import { FitIcon } from "./icons";
import { BoardMiniMap } from "./mini-map";
import { neighbour } from "./navigation";
import { OverviewLayer } from "./overview-layer";
import { type Selection, SidePanel } from "./side-panel";
import { boardToFlow, type FlowNode } from "./to-flow";
import type { BoardData } from "./types";
import { MAX_ZOOM, useBoardViewport } from "./use-board-viewport";
import { useBoardSync } from "./use-board-sync";
import { useCollapsed } from "./use-collapsed";
import { useConnections } from "./use-connections";
import { useFlowNodes } from "./use-flow-nodes";
import { useHoverPreview } from "./use-hover-preview";
import { useNodeMoves } from "./use-node-moves";
import { useRenderWindow } from "./use-render-window";

const subscribeNothing = () => () => {};

/**
 * The board arrives as a promise: the page streams the project's header,
 * tabs and this placeholder at once, the browser starts its scripts while
 * the server is still reading a large board, and the board follows in the
 * same response. It is built in the browser only — nothing of it can be
 * drawn before the pane is measured, so rendering it on the server would
 * only add work there and a hydration pass here.
 */
export function CanvasBoard(props: { projectId: string; boardJson: Promise<string>; focus: string | null; branchId: string | null }) {
  return (
    <Suspense fallback={<BoardLoading />}>
      <LoadedBoard {...props} />
    </Suspense>
  );
}

function BoardLoading() {
  return (
    <div role="status" className="flex h-full min-h-[420px] w-full items-center justify-center rounded-lg border border-zinc-200 bg-white text-sm text-zinc-500">
      Loading the board…
    </div>
  );
}

function LoadedBoard({ boardJson, ...props }: { projectId: string; boardJson: Promise<string>; focus: string | null; branchId: string | null }) {
  const json = use(boardJson);
  const inBrowser = useSyncExternalStore(
    subscribeNothing,
    () => true,
    () => false,
  );
  const initialBoard = useMemo(() => (inBrowser ? boardFromWire(json) : null), [inBrowser, json]);
  if (!initialBoard) return <BoardLoading />;
  return (
    <ReactFlowProvider>
      <Board {...props} initialBoard={initialBoard} />
    </ReactFlowProvider>
  );
}

function Board({ projectId, initialBoard, focus, branchId }: { projectId: string; initialBoard: BoardData; focus: string | null; branchId: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const flow = useReactFlow<FlowNode, Edge>();
  const wrapperRef = useRef<HTMLDivElement>(null);

  const { board, setBoard, poll, notice, setNotice } = useBoardSync(projectId, initialBoard);
  const canEdit = roleAtLeast(board.role, "editor");
  const canComment = roleAtLeast(board.role, "commenter");

  const { collapsedChats, collapsedMessages, toggleChat, toggleSubtree, expandAll, reveal } = useCollapsed(projectId, board.messages);
  const [showCitations, setShowCitations] = useState(true);
  const [selection, setSelection] = useState<Selection | null>(focus ? { kind: "node", key: focus } : null);
  const { pendingPositions, onNodeDragStop } = useNodeMoves({ projectId, canEdit, setBoard, onError: setNotice });
  const connections = useConnections({ projectId, canEdit, setBoard });
  const { hover, onNodeMouseEnter, onNodeMouseLeave } = useHoverPreview();

  // ─── nodes and edges ───────────────────────────────────────────────────────
  const computed = useMemo(
    () => boardToFlow(board, { collapsedChats, collapsedMessages, showCitations, requestedBranchId: branchId, pendingPositions, canEdit }),
    [board, collapsedChats, collapsedMessages, showCitations, branchId, pendingPositions, canEdit],
  );
  const selectedKey = selection?.kind === "node" ? selection.key : null;
  const { nodes, onNodesChange, nodesRef, nodeByKey } = useFlowNodes(computed.nodes, selectedKey);
  const edges = useMemo(
    () => computed.edges.map((e) => (selection?.kind === "edge" && e.id === `user:${selection.edgeId}` ? { ...e, selected: true } : e)),
    [computed.edges, selection],
  );

  // ─── where the board looks, and what React Flow is given ──────────────────
  const { opened, centreOn, fitAll, minZoom, onInit } = useBoardViewport({
    computedNodes: computed.nodes,
    nodesRef,
    nodeByKey,
    nodeCount: nodes.length,
    messages: board.messages,
    focus,
    wrapperRef,
    reveal,
    select: setSelection,
  });
  const { shown, zoomedOut, scene } = useRenderWindow({ nodes, edges, allEdges: computed.edges, opened });
  const [pointingAt, setPointingAt] = useState(false);

  // ─── selection, opening, keyboard ──────────────────────────────────────────
  const openMessage = useCallback(
    (chatId: string, messageId: string) => router.push(`/projects/${projectId}/chat/${chatId}?message=${messageId}`),
    [router, projectId],
  );
  const select = useCallback((key: string) => setSelection({ kind: "node", key }), []);
  const actions: BoardActions = useMemo(
    () => ({ projectId, canEdit, canComment, toggleChat, toggleSubtree, select, openMessage }),
    [projectId, canEdit, canComment, toggleChat, toggleSubtree, select, openMessage],
  );

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement) return;
    const current = selection?.kind === "node" ? selection.key : null;
    if (event.key === "Enter" && current?.startsWith("m:")) {
      const message = board.messages.find((m) => `m:${m.id}` === current);
      if (message) {
        event.preventDefault();
        openMessage(message.chatId, message.id);
      }
      return;
    }
    if (event.key === "Escape") {
      setSelection(null);
      return;
    }
    const direction = ({ ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right" } as const)[event.key as "ArrowUp"];
    if (!direction) return;
    event.preventDefault();
    const visible = new Set(nodes.map((n) => n.id));
    const next = neighbour(board, computed.nodes, current, direction, visible);
    if (next) {
      setSelection({ kind: "node", key: next });
      centreOn(next);
    }
  };

  // ─── notes ─────────────────────────────────────────────────────────────────
  const addNote = useMutation(trpc.canvas.addNote.mutationOptions());
  const onAddNote = () => {
    const rect = wrapperRef.current?.getBoundingClientRect();
    const at = rect ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 3 }) : { x: 0, y: 0 };
    addNote.mutate(
      { projectId, text: "New note", x: Math.round(at.x), y: Math.round(at.y) },
      {
        onSuccess: (note) => {
          setBoard((b) => ({
            ...b,
            notes: [...b.notes, { id: note.id, text: note.text, x: note.x, y: note.y, locked: false, style: {}, deleted: false, updatedAt: new Date() }],
          }));
          setSelection({ kind: "node", key: note.key });
        },
        onError: (error) => setNotice(error.message),
      },
    );
  };

  const onNodeClick = useCallback(
    (event: React.MouseEvent, node: FlowNode) => {
      if (node.type === "message" && !event.shiftKey && !event.metaKey && !event.ctrlKey) {
        openMessage(node.data.message.chatId, node.data.message.id);
        return;
      }
      if (node.type !== "frame") setSelection({ kind: "node", key: node.id });
    },
    [openMessage],
  );
  const onEdgeClick = useCallback((_: React.MouseEvent, edge: Edge) => {
    if (edge.id.startsWith("user:")) setSelection({ kind: "edge", edgeId: edge.id.slice(5) });
  }, []);

  const selectedNode = selectedKey ? nodes.find((n) => n.id === selectedKey) : undefined;
  const selectedLocked = selectedNode ? (selectedNode.data as { locked?: boolean }).locked === true : false;
  const empty = board.chats.length === 0 && board.sources.length === 0 && board.notes.length === 0;

  return (
    <BoardActionsContext.Provider value={actions}>
      <div className="flex h-full min-h-[420px] w-full overflow-hidden rounded-lg border border-zinc-200 bg-white">
        <div
          ref={wrapperRef}
          className="relative min-w-0 flex-1 outline-none focus-visible:ring-2 focus-visible:ring-emerald-500"
          role="application"
          aria-label="Canvas board. Arrow keys move between messages, Enter opens one in the chat."
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the board is an application region driven by arrow keys
          tabIndex={0}
          onKeyDown={onKeyDown}
        >
          <ReactFlow<FlowNode, Edge>
            nodes={shown.nodes}
            edges={shown.edges}
            className={zoomedOut && pointingAt ? "[&_.react-flow__pane]:!cursor-pointer" : undefined}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onNodeDragStop={onNodeDragStop}
            onNodeClick={onNodeClick}
            onEdgeClick={onEdgeClick}
            onNodeMouseEnter={onNodeMouseEnter}
            onNodeMouseLeave={onNodeMouseLeave}
            onPaneClick={(event) => {
              // in the overview a click on a message's box zooms to it
              const p = zoomedOut ? flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }) : null;
              const key = p ? messageAt(scene, p.x, p.y) : null;
              if (key) {
                setSelection({ kind: "node", key });
                centreOn(key);
              } else setSelection(null);
            }}
            onPaneMouseMove={(event) => {
              if (!zoomedOut) return;
              const p = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
              setPointingAt(messageAt(scene, p.x, p.y) !== null);
            }}
            onConnect={connections.onConnect}
            isValidConnection={connections.isValidConnection}
            onInit={onInit}
            nodesDraggable={canEdit}
            nodesConnectable={canEdit}
            elementsSelectable
            deleteKeyCode={null}
            disableKeyboardA11y
            onlyRenderVisibleElements
            minZoom={minZoom}
            maxZoom={MAX_ZOOM}
          >
            <Background gap={24} color="#e4e4e7" />
            <OverviewLayer scene={scene} active={zoomedOut} />
            {/* our own "fit view": React Flow's would fit only the nodes it was given */}
            <Controls position="bottom-left" showFitView={false}>
              <ControlButton onClick={fitAll} className="react-flow__controls-fitview" title="Fit view" aria-label="Fit view">
                <FitIcon />
              </ControlButton>
            </Controls>
            <BoardMiniMap scene={scene} />
            <Panel position="top-left">
              <div className="flex flex-wrap items-center gap-2 rounded-lg border border-zinc-200 bg-white/95 px-2.5 py-1.5 text-xs shadow-sm">
                {canEdit ? (
                  <button
                    type="button"
                    onClick={onAddNote}
                    disabled={addNote.isPending}
                    className="rounded-md bg-emerald-600 px-2.5 py-1 font-medium text-white hover:bg-emerald-700 disabled:opacity-50"
                  >
                    Add note
                  </button>
                ) : null}
                <label className="flex items-center gap-1.5 text-zinc-700">
                  <input type="checkbox" checked={showCitations} onChange={(e) => setShowCitations(e.target.checked)} />
                  Show citations
                </label>
                {collapsedChats.size + collapsedMessages.size > 0 ? (
                  <button type="button" onClick={expandAll} className="rounded-md border border-zinc-300 px-2 py-1 text-zinc-700 hover:bg-zinc-50">
                    Expand all
                  </button>
                ) : null}
                {zoomedOut ? <span className="text-zinc-600">Overview: click a message to zoom in</span> : null}
                <span className="text-zinc-500">
                  {board.messages.length} message{board.messages.length === 1 ? "" : "s"} · {board.chats.length} chat{board.chats.length === 1 ? "" : "s"}
                </span>
                {!canEdit ? (
                  <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-zinc-600">
                    {canComment ? "Commenter: you can comment, not rearrange" : "Viewer: read only"}
                  </span>
                ) : null}
              </div>
            </Panel>
            {notice ? (
              <Panel position="top-center">
                <div role="alert" className="flex items-center gap-2 rounded-lg border border-amber-300 bg-amber-50 px-3 py-1.5 text-xs text-amber-900 shadow-sm">
                  {notice}
                  <button type="button" className="font-medium underline" onClick={() => setNotice(null)}>
                    Dismiss
                  </button>
                </div>
              </Panel>
            ) : null}
          </ReactFlow>
          {empty ? (
            <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
              <div className="pointer-events-auto max-w-sm rounded-lg border border-zinc-200 bg-white p-5 text-center shadow-sm">
                <p className="text-sm font-medium text-zinc-900">Nothing on the board yet</p>
                <p className="mt-1 text-xs text-zinc-600">
                  Start a conversation in the Chat tab: every message, fork and cited source appears here as a tree.
                </p>
                <Link href={`/projects/${projectId}/chat`} className="mt-3 inline-block rounded-md bg-emerald-600 px-3 py-1.5 text-xs font-medium text-white">
                  Go to chat
                </Link>
              </div>
            </div>
          ) : null}
          {connections.pending ? (
            <EdgeDialog pending={connections.saving} error={connections.error} onSubmit={connections.submit} onCancel={connections.cancel} />
          ) : null}
          {hover ? <HoverPreview projectId={projectId} messageId={hover.messageId} x={hover.x} y={hover.y} /> : null}
        </div>
        {selection && (selection.kind === "edge" || selectedNode || selection.key.startsWith("n:")) ? (
          <SidePanel
            board={board}
            selection={selection}
            locked={selectedLocked}
            position={selectedNode ? selectedNode.position : null}
            onClose={() => setSelection(null)}
            onChanged={() => void poll()}
          />
        ) : null}
      </div>
    </BoardActionsContext.Provider>
  );
}
