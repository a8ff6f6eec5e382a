import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type ModelPrice, modelPrices } from "@/db/schema";
import { AppError } from "@/server/errors";
import { getEnv } from "@/server/env";

export type { ModelPrice };

const PER_MTOK = (usd: number) => BigInt(Math.round(usd * 1_000_000));

/**
 * The seed rows: ids the installed @anthropic-ai/sdk 1.12 lists in its `Model`
 * type (none of these three is in its DEPRECATED_MODELS), priced at the list
 * list prices (USD per million input / output tokens, seen 2026-11; docs/chat.md, "Model prices").
 * These are only the initial data — an operator edits `model_prices`, and code
 * paths read prices from the table, never from here.
 */
export const SEED_MODEL_PRICES: Array<typeof modelPrices.$inferInsert> = [
  {
    model: "claude-sonnet-5-5",
    provider: "anthropic",
    label: "Claude Sonnet 5.5",
    family: "sonnet",
    inputMicrosPerMTok: PER_MTOK(2),
    outputMicrosPerMTok: PER_MTOK(10),
    isDefault: 1,
  },
  {
    model: "claude-opus-5-5",
    provider: "anthropic",
    label: "Claude Opus 5.5",
    family: "opus",
    inputMicrosPerMTok: PER_MTOK(4),
    outputMicrosPerMTok: PER_MTOK(20),
  },
  {
    model: "claude-haiku-5-5",
    provider: "anthropic",
    label: "Claude Haiku 5.5",
    family: "haiku",
    inputMicrosPerMTok: PER_MTOK(0.1),
    outputMicrosPerMTok: PER_MTOK(0.5),
  },
];

/** Seeds missing rows; never overwrites a price an operator changed. */
export async function ensureModelPrices(db: Db): Promise<void> {
  await db.insert(modelPrices).values(SEED_MODEL_PRICES).onConflictDoNothing({ target: modelPrices.model });
}

export async function getModelPrice(db: Db, model: string): Promise<ModelPrice> {
  const [row] = await db.select().from(modelPrices).where(eq(modelPrices.model, model)).limit(1);
  if (!row) {
    throw new AppError("not_found:model", `The model "${model}" has no price in model_prices, so Arbor cannot meter it. Pick another model or ask an operator to add its price.`);
  }
  return row;
}

export async function listCloudModels(db: Db): Promise<ModelPrice[]> {
  return db
    .select()
    .from(modelPrices)
    .where(and(eq(modelPrices.provider, "anthropic"), eq(modelPrices.deprecated, 0)))
    .orderBy(sql`${modelPrices.isDefault} desc`, modelPrices.label);
}

/**
 * ANTHROPIC_MODEL when set; otherwise the row flagged default, else the newest
 * non-deprecated Sonnet (ids sort by version: claude-sonnet-5-5 > claude-sonnet-5).
 */
export async function defaultCloudModel(db: Db): Promise<string> {
  const override = getEnv().ANTHROPIC_MODEL;
  if (override) return override;
  const sonnets = await db
    .select()
    .from(modelPrices)
    .where(and(eq(modelPrices.family, "sonnet"), eq(modelPrices.deprecated, 0)));
  const flagged = sonnets.find((m) => m.isDefault === 1);
  if (flagged) return flagged.model;
  const newest = sonnets.map((m) => m.model).sort(compareModelIds).at(-1);
  if (newest) return newest;
  throw new AppError("not_found:model", "No cloud model is priced yet. An operator needs to seed model_prices (it happens at start-up).");
}

/** The row defaultCloudModel() picks first (the operator-flagged Sonnet), as a scalar subquery for queries that price "the default" in the same round trip. */
export function flaggedDefaultModel() {
  return sql`(select m.model from model_prices m where m.family = 'sonnet' and m.deprecated = 0 and m.is_default = 1 limit 1)`;
}

/** Orders "claude-sonnet-4-6" < "claude-sonnet-5" < "claude-sonnet-5-5" by their numeric parts. */
export function compareModelIds(a: string, b: string): number {
  const nums = (id: string) => (id.match(/\d+/g) ?? []).map(Number).filter((n) => n < 1000);
  const x = nums(a);
  const y = nums(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}

/** Cost basis in micro-USD, rounded up (docs/billing.md#billing-tiers-the-guard-stripe). Integer math only. */
export function costBasisMicros(price: Pick<ModelPrice, "inputMicrosPerMTok" | "outputMicrosPerMTok">, tokensIn: number, tokensOut: number): bigint {
  const numerator = BigInt(tokensIn) * price.inputMicrosPerMTok + BigInt(tokensOut) * price.outputMicrosPerMTok;
  return (numerator + 999_999n) / 1_000_000n;
}
