import { boardToWire } from "@/components/canvas/board-wire";
import { CanvasBoard } from "@/components/canvas/canvas-board";
import { loadOrNotFound } from "@/server/trpc/load";
import { getServerCaller } from "@/server/trpc/server-caller";

export const metadata = { title: "Canvas · Arbor" };

const single = (value: string | string[] | undefined) => (typeof value === "string" && value ? value : null);
const FOCUS = /^[msn]:[0-9a-f-]{36}$/i;

export default async function CanvasPage({
  params,
  searchParams,
}: {
  params: Promise<{ projectId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ projectId }, query] = await Promise.all([params, searchParams]);
  const api = await getServerCaller();
  const board = await loadOrNotFound(() => api.canvas.board({ projectId }));
  const focus = single(query.focus);
  return (
    <div className="h-[calc(100vh-250px)] min-h-[420px]">
      <CanvasBoard
        projectId={projectId}
        boardJson={boardToWire(board)}
        focus={focus && FOCUS.test(focus) ? focus.toLowerCase() : null}
        branchId={single(query.branch)}
      />
    </div>
  );
}
