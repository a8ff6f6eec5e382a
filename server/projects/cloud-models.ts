import "server-only";
import { and, asc, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { modelPrices } from "@/db/schema";

/** Cloud models an owner can pick as the project default (from the editable price table). */
export async function listCloudModels(db: Db) {
  return db
    .select({ model: modelPrices.model, label: modelPrices.label })
    .from(modelPrices)
    .where(and(eq(modelPrices.deprecated, 0), ne(modelPrices.family, "local")))
    .orderBy(asc(modelPrices.label));
}
