import "server-only";
import { z } from "zod";
import { listAllModelPrices, updateModelPrice } from "@/server/ai/price-editing";
import { operatorProcedure, router } from "@/server/trpc/init";

const micros = z.union([z.bigint(), z.number().int("must be a whole number of micro-USD"), z.string().regex(/^-?\d+$/, "must be a whole number of micro-USD")]);

/** admin.*: the operator's tools. Every procedure is operatorProcedure: anyone else gets NOT_FOUND. */
export const adminRouter = router({
  modelPrices: operatorProcedure.query(({ ctx }) => listAllModelPrices(ctx.db)),

  updateModelPrice: operatorProcedure
    .input(z.object({ model: z.string().trim().min(1).max(200), inputMicrosPerMTok: micros, outputMicrosPerMTok: micros, deprecated: z.boolean() }))
    .mutation(({ ctx, input }) => updateModelPrice(ctx.db, input)),
});
