import { router } from "@/server/trpc/init";

export const billingRouter = router({});
