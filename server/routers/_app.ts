import "server-only";
import { createCallerFactory, router } from "@/server/trpc/init";
import { accountRouter } from "./account";
import { adminRouter } from "./admin";
import { adaptersRouter } from "./adapters";
import { accountSecurityRouter } from "./account-security";
import { agentsRouter } from "./agents";
import { billingRouter } from "./billing";
import { canvasRouter } from "./canvas";
import { chatRouter } from "./chat";
import { collabRouter } from "./collab";
import { devicesRouter } from "./devices";
import { knowledgeRouter } from "./knowledge";
import { projectsRouter } from "./projects";
import { providersRouter } from "./providers";
import { requestLogsRouter } from "./request-logs";
import { searchRouter } from "./search";
import { notificationsRouter } from "./notifications";
import { shareRouter } from "./share";
import { tokensRouter } from "./tokens";
import { trashRouter } from "./trash";

/** One router per area; procedures live in their area's file. */
export const appRouter = router({
  account: accountRouter,
  accountSecurity: accountSecurityRouter,
  projects: projectsRouter,
  providers: providersRouter,
  admin: adminRouter,
  chat: chatRouter,
  agents: agentsRouter,
  requestLogs: requestLogsRouter,
  knowledge: knowledgeRouter,
  adapters: adaptersRouter,
  canvas: canvasRouter,
  collab: collabRouter,
  billing: billingRouter,
  tokens: tokensRouter,
  devices: devicesRouter,
  search: searchRouter,
  share: shareRouter,
  notifications: notificationsRouter,
  trash: trashRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
