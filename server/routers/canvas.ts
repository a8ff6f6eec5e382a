import { router } from "@/server/trpc/init";

export const canvasRouter = router({});
