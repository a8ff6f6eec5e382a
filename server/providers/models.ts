import "server-only";
import { and, asc, eq, isNotNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customProviderModels, customProviders } from "@/db/schema";
import { AppError } from "@/server/errors";

/**
 * A provider's model is named in a model choice, an agent and a hold as
 * "provider:<model row id>": unique, scoped to the project that owns the row,
 * and never confused with a model_prices id (those never contain a colon).
 */
const PREFIX = "provider:";

export function isProviderModelKey(model: string | null | undefined): model is string {
  return Boolean(model?.startsWith(PREFIX));
}

export function providerModelKey(modelId: string): string {
  return `${PREFIX}${modelId}`;
}

function modelIdOf(key: string): string | null {
  const id = key.slice(PREFIX.length);
  return /^[0-9a-f-]{36}$/i.test(id) ? id : null;
}

/** What a call to a provider's model needs: where, with which key (still encrypted), at the owner's prices. */
export type ProviderTarget = {
  key: string;
  modelId: string;
  providerId: string;
  providerName: string;
  baseUrl: string;
  keyCiphertext: string | null;
  /** the upstream id, as the provider listed it */
  model: string;
  /** null: the owner has not priced it yet */
  inputMicrosPerMTok: bigint | null;
  outputMicrosPerMTok: bigint | null;
};

const targetColumns = {
  modelId: customProviderModels.id,
  providerId: customProviders.id,
  providerName: customProviders.name,
  baseUrl: customProviders.baseUrl,
  keyCiphertext: customProviders.keyCiphertext,
  model: customProviderModels.model,
  inputMicrosPerMTok: customProviderModels.inputMicrosPerMTok,
  outputMicrosPerMTok: customProviderModels.outputMicrosPerMTok,
};

/** The provider model a key names, in this project only (another project's row is simply not found). */
export async function findProviderTarget(db: Db, { projectId, key }: { projectId: string; key: string }): Promise<ProviderTarget | null> {
  const modelId = modelIdOf(key);
  if (!modelId) return null;
  const [row] = await db
    .select(targetColumns)
    .from(customProviderModels)
    .innerJoin(customProviders, eq(customProviders.id, customProviderModels.providerId))
    .where(and(eq(customProviderModels.id, modelId), eq(customProviders.projectId, projectId)));
  return row ? { key, ...row } : null;
}

/** The target, priced, or words saying why it cannot answer. */
export async function requireUsableProviderModel(db: Db, { projectId, key }: { projectId: string; key: string }): Promise<ProviderTarget & { inputMicrosPerMTok: bigint; outputMicrosPerMTok: bigint }> {
  const target = await findProviderTarget(db, { projectId, key });
  if (!target) throw new AppError("not_found:model", "This project has no such provider model (the provider may have been removed, or no longer lists it). Pick one of the models listed.");
  const { inputMicrosPerMTok: input, outputMicrosPerMTok: output } = target;
  if (input === null || output === null) {
    throw new AppError("bad_request:model", `${target.providerName} · ${target.model} has no price yet, so it cannot be metered. The project owner sets its price under Settings → Providers.`);
  }
  return { ...target, inputMicrosPerMTok: input, outputMicrosPerMTok: output };
}

/** Priced provider models of a project, for the composer's picker. */
export async function listPricedProviderModels(db: Db, projectId: string): Promise<Array<ProviderTarget & { inputMicrosPerMTok: bigint; outputMicrosPerMTok: bigint }>> {
  const rows = await db
    .select(targetColumns)
    .from(customProviderModels)
    .innerJoin(customProviders, eq(customProviders.id, customProviderModels.providerId))
    .where(and(eq(customProviders.projectId, projectId), isNotNull(customProviderModels.inputMicrosPerMTok), isNotNull(customProviderModels.outputMicrosPerMTok)))
    .orderBy(asc(customProviders.name), asc(customProviderModels.model));
  return rows.flatMap((r) =>
    r.inputMicrosPerMTok !== null && r.outputMicrosPerMTok !== null
      ? [{ ...r, key: providerModelKey(r.modelId), inputMicrosPerMTok: r.inputMicrosPerMTok, outputMicrosPerMTok: r.outputMicrosPerMTok }]
      : [],
  );
}

/** The provider model answering the project's local tier, if the owner chose one. */
export async function localTierProviderTarget(db: Db, projectId: string): Promise<ProviderTarget | null> {
  const [row] = await db
    .select(targetColumns)
    .from(customProviders)
    .innerJoin(customProviderModels, and(eq(customProviderModels.providerId, customProviders.id), eq(customProviderModels.model, customProviders.localModel)))
    .where(and(eq(customProviders.projectId, projectId), isNotNull(customProviders.localModel)))
    .limit(1);
  return row ? { key: providerModelKey(row.modelId), ...row } : null;
}
