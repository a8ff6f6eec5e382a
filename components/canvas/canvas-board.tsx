"use client";

import "@xyflow/react/dist/style.css";
import { useMutation } from "@tanstack/react-query";
import {
  applyNodeChanges,
  Background,
  type Connection,
  ControlButton,
  Controls,
  getViewportForBounds,
  type Edge,
  type NodeChange,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  useStoreApi,
} from "@xyflow/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Suspense, use, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { useTRPC, useTRPCClient } from "@/components/providers/trpc";
import { roleAtLeast } from "@/lib/roles";
import { type BoardActions, BoardActionsContext } from "./board-actions";
import { buildScene, messageAt } from "./board-scene";
import { boardFromWire } from "./board-wire";
import { EdgeDialog } from "./edge-dialog";
import { FitIcon } from "./icons";
import { nodeTypes } from "./flow-nodes";
import { HoverPreview } from "./hover-preview";
import { type Point, NODE_HEIGHT, NODE_WIDTH } from "./layout";
import { isQuiet, mergeChanges } from "./merge-changes";
import { BoardMiniMap } from "./mini-map";
import { neighbour } from "./navigation";
import { OVERVIEW_ZOOM, OverviewLayer } from "./overview-layer";
import { inWindow, needsNewWindow, type Rect, viewportRect, windowAround } from "./render-window";
import { type Selection, SidePanel } from "./side-panel";
import { boardToFlow, type FlowNode, flowBounds } from "./to-flow";
import type { BoardData, EdgeStyle } from "./types";
import { useCollapsed } from "./use-collapsed";

/** How often the board asks for other members' changes (they must show within ~2 s). */
const POLL_MS = 1_500;
/** Moves are saved this long after the last drop, so a burst of drags is one request. */
const SAVE_DELAY_MS = 400;
/** Above this many nodes, opening fits the current branch instead of the whole board. */
const FIT_ALL_LIMIT = 400;
/** Zooming out stops here, or further if that is what it takes to see the whole board. */
const MIN_ZOOM = 0.02;
const NO_NODES: FlowNode[] = [];
const NO_EDGES: Edge[] = [];
const MAX_ZOOM = 2;

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
  const client = useTRPCClient();
  const router = useRouter();
  const flow = useReactFlow<FlowNode, Edge>();
  const wrapperRef = useRef<HTMLDivElement>(null);

  const [board, setBoard] = useState(initialBoard);
  const boardRef = useRef(board);
  boardRef.current = board;
  const cursorRef = useRef<Date>(initialBoard.cursor);
  const canEdit = roleAtLeast(board.role, "editor");
  const canComment = roleAtLeast(board.role, "commenter");

  const { collapsedChats, collapsedMessages, toggleChat, toggleSubtree, expandAll, reveal } = useCollapsed(projectId, board.messages);
  const [showCitations, setShowCitations] = useState(true);
  const [selection, setSelection] = useState<Selection | null>(focus ? { kind: "node", key: focus } : null);
  const [pendingPositions, setPendingPositions] = useState<ReadonlyMap<string, Point>>(new Map());
  const [pendingEdge, setPendingEdge] = useState<{ from: string; to: string } | null>(null);
  const [hover, setHover] = useState<{ messageId: string; x: number; y: number } | null>(null);
  const hoverTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // ─── live: poll for other members' changes ─────────────────────────────────
  const polling = useRef(false);
  const poll = useCallback(async () => {
    if (polling.current) return;
    polling.current = true;
    try {
      const watch = boardRef.current.messages.filter((m) => m.status === "streaming").map((m) => m.id).slice(0, 500);
      const changes = await client.canvas.changes.query({ projectId, since: cursorRef.current, watch });
      cursorRef.current = changes.cursor;
      if (!isQuiet(changes, boardRef.current)) setBoard((b) => mergeChanges(b, changes));
    } catch (error) {
      setNotice(`Live updates paused: ${error instanceof Error ? error.message : "connection lost"}. Retrying…`);
      return;
    } finally {
      polling.current = false;
    }
    setNotice((n) => (n?.startsWith("Live updates paused") ? null : n));
  }, [client, projectId]);
  useEffect(() => {
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(timer);
  }, [poll]);

  // ─── nodes and edges ───────────────────────────────────────────────────────
  const computed = useMemo(
    () => boardToFlow(board, { collapsedChats, collapsedMessages, showCitations, requestedBranchId: branchId, pendingPositions, canEdit }),
    [board, collapsedChats, collapsedMessages, showCitations, branchId, pendingPositions, canEdit],
  );
  const selectedKey = selection?.kind === "node" ? selection.key : null;
  const [nodes, setNodes] = useState<FlowNode[]>(computed.nodes);
  useEffect(() => {
    setNodes((previous) => {
      const before = new Map(previous.map((n) => [n.id, n]));
      const next = computed.nodes.map((n) => {
        const p = before.get(n.id);
        const selected = n.id === selectedKey;
        // a node being dragged right now keeps the pointer's position, not the server's
        if (p?.dragging) return { ...n, position: p.position, dragging: true, measured: p.measured ?? n.measured, selected } as FlowNode;
        // keep the very same object when nothing changed, so memoised nodes skip rendering
        if (p && sameNode(p, n, selected)) return p;
        return { ...n, measured: p?.measured ?? n.measured, selected } as FlowNode;
      });
      // nothing changed at all (the first pass, a quiet poll): keep the array, so nothing downstream recomputes
      return next.length === previous.length && next.every((n, i) => n === previous[i]) ? previous : next;
    });
  }, [computed.nodes, selectedKey]);
  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    // selection is ours (clicks open the chat); React Flow may move and measure
    setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== "select" && c.type !== "remove"), ns));
  }, []);
  const edges = useMemo(
    () => computed.edges.map((e) => (selection?.kind === "edge" && e.id === `user:${selection.edgeId}` ? { ...e, selected: true } : e)),
    [computed.edges, selection],
  );

  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  const nodeByKey = useCallback((key: string) => nodesRef.current.find((n) => n.id === key), []);

  // ─── what React Flow is given ──────────────────────────────────────────────
  // Only the nodes around the viewport (render-window.ts); zoomed out, the
  // messages are drawn on the overview canvas instead of being nodes at all.
  // Nothing is given until the opening viewport is set (onInit).
  const store = useStoreApi();
  const [opened, setOpened] = useState(false);
  const [windowRect, setWindowRect] = useState<Rect | null>(null);
  const windowRef = useRef<Rect | null>(null);
  useEffect(() => {
    if (!opened) return;
    const follow = (s: { transform: [number, number, number]; width: number; height: number }) => {
      if (!s.width || !s.height) return;
      const viewport = viewportRect(s.transform, s.width, s.height);
      if (!needsNewWindow(windowRef.current, viewport)) return;
      windowRef.current = windowAround(viewport);
      setWindowRect(windowRef.current);
    };
    follow(store.getState());
    return store.subscribe((s, previous) => {
      if (s.transform !== previous.transform || s.width !== previous.width || s.height !== previous.height) follow(s);
    });
  }, [store, opened]);
  const zoomedOut = useStore((s) => s.transform[2] < OVERVIEW_ZOOM);
  // the minimap and overview can follow a moment later: first paint and input come first
  const sceneNodes = useDeferredValue(nodes, NO_NODES);
  const sceneEdges = useDeferredValue(computed.edges, NO_EDGES);
  const scene = useMemo(() => buildScene(sceneNodes, sceneEdges), [sceneNodes, sceneEdges]);
  const shown = useMemo(() => {
    if (zoomedOut) return { nodes: nodes.filter((n) => !isDrawn(n)), edges: edges.filter((e) => !e.source.startsWith("m:") && !e.target.startsWith("m:")) };
    return inWindow(nodes, edges, windowRect);
  }, [nodes, edges, zoomedOut, windowRect]);
  const [pointingAt, setPointingAt] = useState(false);

  // ─── moving, saved in the background ───────────────────────────────────────
  const moveNodes = useMutation(trpc.canvas.moveNodes.mutationOptions());
  const queued = useRef(new Map<string, Point>());
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const flushMoves = useCallback(() => {
    const moves = [...queued.current].map(([key, p]) => ({ key, x: p.x, y: p.y }));
    queued.current.clear();
    if (moves.length === 0) return;
    moveNodes.mutate(
      { projectId, moves },
      {
        onSuccess: () => {
          setBoard((b) => applyLocalMoves(b, moves));
          setPendingPositions((m) => withoutKeys(m, moves));
        },
        onError: (error) => {
          setNotice(error.message);
          setPendingPositions((m) => withoutKeys(m, moves));
        },
      },
    );
  }, [moveNodes, projectId]);
  const onNodeDragStop = useCallback(
    (_: unknown, __: FlowNode, dragged: FlowNode[]) => {
      if (!canEdit) return;
      const moved = dragged.filter((n) => n.type !== "frame").map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }] as const);
      setPendingPositions((m) => new Map([...m, ...moved]));
      for (const [key, p] of moved) queued.current.set(key, p);
      if (saveTimer.current) clearTimeout(saveTimer.current);
      saveTimer.current = setTimeout(flushMoves, SAVE_DELAY_MS);
    },
    [canEdit, flushMoves],
  );
  useEffect(
    () => () => {
      if (saveTimer.current) clearTimeout(saveTimer.current);
    },
    [],
  );

  // ─── selection, opening, keyboard ──────────────────────────────────────────
  const openMessage = useCallback(
    (chatId: string, messageId: string) => router.push(`/projects/${projectId}/chat/${chatId}?message=${messageId}`),
    [router, projectId],
  );
  const centreOn = useCallback(
    (key: string, duration = 250) => {
      const node = nodeByKey(key);
      if (!node) return;
      void flow.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + NODE_HEIGHT / 2, { zoom: Math.max(flow.getZoom(), 0.8), duration });
    },
    [flow, nodeByKey],
  );
  // a very wide board (many forked chats side by side) needs to zoom out further than MIN_ZOOM to fit
  const paneWidth = useStore((s) => s.width);
  const paneHeight = useStore((s) => s.height);
  const minZoom = useMemo(() => {
    const bounds = flowBounds(computed.nodes);
    if (!bounds || !paneWidth || !paneHeight) return MIN_ZOOM;
    return Math.max(0.002, Math.min(MIN_ZOOM, (0.8 * paneWidth) / bounds.width, (0.8 * paneHeight) / bounds.height));
  }, [computed.nodes, paneWidth, paneHeight]);
  const fitAll = useCallback(() => {
    const bounds = flowBounds(nodesRef.current);
    const { width, height } = store.getState();
    if (!bounds || !width || !height) return;
    void flow.setViewport(getViewportForBounds(bounds, width, height, minZoom, MAX_ZOOM, 0.1), { duration: 250 });
  }, [flow, store, minZoom]);
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

  // ?focus=m:<id> — reveal the node if collapsed, select it and centre on it
  const focused = useRef(false);
  useEffect(() => {
    if (focused.current || !focus) return;
    const messageId = focus.startsWith("m:") ? focus.slice(2) : null;
    if (messageId) reveal(messageId);
    const timer = setTimeout(() => {
      if (nodeByKey(focus)) {
        focused.current = true;
        setSelection({ kind: "node", key: focus });
        centreOn(focus);
      }
    }, 60);
    return () => clearTimeout(timer);
  }, [focus, reveal, centreOn, nodeByKey, nodes.length]);

  // opening a big board: frame the current branch's tip rather than every node
  const initialFit = useMemo(() => {
    if (focus || computed.nodes.length <= FIT_ALL_LIMIT) return null;
    const latest = [...board.messages].sort((a, b) => +new Date(b.createdAt) - +new Date(a.createdAt))[0];
    return latest ? `m:${latest.id}` : null;
  }, [focus, computed.nodes.length, board.messages]);
  const initialised = useRef(false);
  const onInit = useCallback(() => {
    if (initialised.current) return;
    initialised.current = true;
    // the opening viewport is set at once (no animation), then the nodes around it are given to React Flow
    const open = () => setOpened(true);
    if (focus) return open();
    if (initialFit) {
      centreOn(initialFit, 0);
      return open();
    }
    const bounds = flowBounds(computed.nodes);
    const rect = wrapperRef.current?.getBoundingClientRect();
    if (!bounds || !rect) return open();
    const pad = 48;
    const zoom = Math.min(1, Math.max(0.05, Math.min((rect.width - pad * 2) / bounds.width, (rect.height - pad * 2) / bounds.height)));
    void flow.setViewport({
      x: rect.width / 2 - (bounds.x + bounds.width / 2) * zoom,
      // tall trees start at the top, where the conversation begins
      y: bounds.height * zoom > rect.height - pad * 2 ? pad - bounds.y * zoom : rect.height / 2 - (bounds.y + bounds.height / 2) * zoom,
      zoom,
    });
    open();
  }, [focus, initialFit, centreOn, computed.nodes, flow]);

  // ─── notes and edges ───────────────────────────────────────────────────────
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

  const createEdge = useMutation(trpc.canvas.createEdge.mutationOptions());
  const isValidConnection = useCallback((c: Connection | Edge) => {
    const ok = (k: string | null | undefined) => !!k && /^[msn]:/.test(k);
    return ok(c.source) && ok(c.target) && c.source !== c.target;
  }, []);
  const onConnect = useCallback(
    (c: Connection) => {
      if (canEdit && isValidConnection(c)) setPendingEdge({ from: c.source, to: c.target });
    },
    [canEdit, isValidConnection],
  );
  const submitEdge = ({ label, style }: { label: string; style: EdgeStyle }) => {
    if (!pendingEdge) return;
    createEdge.mutate(
      { projectId, fromKey: pendingEdge.from, toKey: pendingEdge.to, label, style },
      {
        onSuccess: (edge) => {
          setBoard((b) => ({ ...b, edges: [...b.edges.filter((e) => e.id !== edge.id), { ...edge, deleted: false }] }));
          setPendingEdge(null);
        },
      },
    );
  };

  // ─── hover preview ─────────────────────────────────────────────────────────
  const onNodeMouseEnter = useCallback((event: React.MouseEvent, node: FlowNode) => {
    if (node.type !== "message") return;
    if (hoverTimer.current) clearTimeout(hoverTimer.current);
    const { clientX, clientY } = event;
    hoverTimer.current = setTimeout(() => setHover({ messageId: node.id.slice(2), x: clientX, y: clientY }), 350);
  }, []);
  const onNodeMouseLeave = useCallback(() => {
    if (hoverTimer.current) clearTimeout(hoverTimer.current);
    setHover(null);
  }, []);

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
            onConnect={onConnect}
            isValidConnection={isValidConnection}
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
          {pendingEdge ? (
            <EdgeDialog
              pending={createEdge.isPending}
              error={createEdge.error?.message}
              onSubmit={submitEdge}
              onCancel={() => {
                createEdge.reset();
                setPendingEdge(null);
              }}
            />
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

function sameNode(previous: FlowNode, next: FlowNode, selected: boolean): boolean {
  if (!!previous.selected !== selected || previous.draggable !== next.draggable || previous.type !== next.type) return false;
  if (previous.position.x !== next.position.x || previous.position.y !== next.position.y) return false;
  if (previous.width !== next.width || previous.height !== next.height) return false;
  const a = previous.data as Record<string, unknown>;
  const b = next.data as Record<string, unknown>;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

/** Zoomed out, messages and chat frames are drawn on the overview canvas instead of being nodes. */
const isDrawn = (node: FlowNode) => node.type === "message" || node.type === "frame";

function applyLocalMoves(board: BoardData, moves: { key: string; x: number; y: number }[]): BoardData {
  const positions = [...board.positions];
  let notes = board.notes;
  for (const m of moves) {
    if (m.key.startsWith("n:")) {
      notes = notes.map((n) => (`n:${n.id}` === m.key ? { ...n, x: m.x, y: m.y } : n));
      continue;
    }
    const i = positions.findIndex((p) => p.key === m.key);
    const next = { key: m.key, x: m.x, y: m.y, locked: positions[i]?.locked ?? false, style: positions[i]?.style ?? {}, updatedAt: new Date() };
    if (i >= 0) positions[i] = next;
    else positions.push(next);
  }
  return { ...board, positions, notes };
}

function withoutKeys(map: ReadonlyMap<string, Point>, moves: { key: string }[]) {
  const next = new Map(map);
  for (const m of moves) next.delete(m.key);
  return next;
}
