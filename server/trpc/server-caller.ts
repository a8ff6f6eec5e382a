import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { createCaller } from "@/server/routers/_app";
import { createRequestContext } from "./context";

/** tRPC for React Server Components: the same procedures, role checks included, called in-process. */
export const getServerCaller = cache(async () => createCaller(await createRequestContext(await headers())));
