import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/_app";

type Outputs = inferRouterOutputs<AppRouter>["canvas"];
export type BoardData = Outputs["board"];
export type BoardChangesData = Outputs["changes"];
export type BoardMessage = BoardData["messages"][number];
export type BoardEdge = BoardData["edges"][number];
export type BoardNote = BoardData["notes"][number];
export type CommentView = Outputs["comments"][number];

export type EdgeStyle = { line?: "solid" | "dashed"; color?: string; arrowStart?: boolean; arrowEnd?: boolean };
