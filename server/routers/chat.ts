import { router } from "@/server/trpc/init";

export const chatRouter = router({});
