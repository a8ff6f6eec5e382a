import { router } from "@/server/trpc/init";

export const collabRouter = router({});
