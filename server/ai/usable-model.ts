import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { modelPrices } from "@/db/schema";
import { AppError } from "@/server/errors";
import { isProviderModelKey, requireUsableProviderModel } from "@/server/providers/models";

/**
 * A cloud model a turn may use: priced in model_prices (so it can be metered)
 * and not deprecated by an operator — or a priced model of one of the
 * project's own providers. Clear words for each, before anything is written.
 */
export async function assertUsableModel(db: Db, model: string, projectId: string): Promise<void> {
  if (isProviderModelKey(model)) {
    await requireUsableProviderModel(db, { projectId, key: model });
    return;
  }
  const [row] = await db.select({ deprecated: modelPrices.deprecated, label: modelPrices.label }).from(modelPrices).where(eq(modelPrices.model, model)).limit(1);
  if (!row) throw new AppError("not_found:model", `There is no model "${model}" in Arbor's price list, so it cannot be used or metered. Pick one of the models listed.`);
  if (row.deprecated) throw new AppError("bad_request:model", `${row.label} has been retired by the operator and can no longer be used. Pick another model.`);
}
