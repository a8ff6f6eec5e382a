import { router } from "@/server/trpc/init";

export const knowledgeRouter = router({});
