import { boardToWire } from "@/components/canvas/board-wire";
import { CanvasBoard } from "@/components/canvas/canvas-board";
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
  // Not awaited: the page streams at once and the board follows. The layout
  // turns a non-member into the 404 page; the board call checks the role
  // again and, for them, rejects unread — so mark that as handled here.
  const boardJson = api.canvas.board({ projectId }).then(boardToWire);
  boardJson.catch(() => {});
  const focus = single(query.focus);
  return (
    <div className="h-[calc(100vh-250px)] min-h-[420px]">
      <CanvasBoard
        projectId={projectId}
        boardJson={boardJson}
        focus={focus && FOCUS.test(focus) ? focus.toLowerCase() : null}
        branchId={single(query.branch)}
      />
    </div>
  );
}
