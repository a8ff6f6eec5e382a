import "server-only";
import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type ModelPrice, modelPrices } from "@/db/schema";
import { AppError } from "@/server/errors";
import { checkPrice } from "@/server/providers/prices";

/** Every row of model_prices, for the operator's page (retired ones too: they can be brought back). */
export async function listAllModelPrices(db: Db): Promise<ModelPrice[]> {
  return db.select().from(modelPrices).orderBy(asc(modelPrices.provider), asc(modelPrices.label));
}

/**
 * An operator's edit of one model's prices (micro-USD per million tokens) and
 * whether it is retired. Only new turns see it: a hold records the prices it
 * was placed under and is settled on those (server/billing/hold-statement.ts),
 * so an answer already running keeps the price it started with.
 */
export async function updateModelPrice(
  db: Db,
  { model, inputMicrosPerMTok, outputMicrosPerMTok, deprecated }: { model: string; inputMicrosPerMTok: bigint | number | string; outputMicrosPerMTok: bigint | number | string; deprecated: boolean },
): Promise<ModelPrice> {
  const input = checkPrice(inputMicrosPerMTok, "The input price");
  const output = checkPrice(outputMicrosPerMTok, "The output price");
  const [row] = await db
    .update(modelPrices)
    .set({ inputMicrosPerMTok: input, outputMicrosPerMTok: output, deprecated: deprecated ? 1 : 0, updatedAt: new Date() })
    .where(eq(modelPrices.model, model))
    .returning();
  if (!row) throw new AppError("not_found:model", `There is no model "${model}" in model_prices.`);
  return row;
}
