import type { inferRouterOutputs } from "@trpc/server";
import type { Role } from "@/lib/roles";
import type { AppRouter } from "@/server/routers/_app";

type ChatOutputs = inferRouterOutputs<AppRouter>["chat"];

export type ThreadData = ChatOutputs["thread"];
export type ThreadMessage = ThreadData["messages"][number];
export type ThreadBranch = ThreadData["branches"][number];
export type ChatSummary = ChatOutputs["list"][number];

/** What the signed-in member may do here (docs/collaboration.md#roles); the server checks again on every call. */
export type ChatPermissions = { role: Role; canWrite: boolean; canGiveFeedback: boolean };

export function chatHref(projectId: string, chatId: string, params?: { branch?: string; message?: string }) {
  const query = new URLSearchParams();
  if (params?.branch) query.set("branch", params.branch);
  if (params?.message) query.set("message", params.message);
  const suffix = query.toString();
  return `/projects/${projectId}/chat/${chatId}${suffix ? `?${suffix}` : ""}`;
}

export type ModelChoices = ChatOutputs["models"];
export type HoldEstimateView = ChatOutputs["estimate"];
export type AnswerDetailsView = ChatOutputs["details"];
