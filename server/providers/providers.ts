import "server-only";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customProviderModels, customProviders } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/server/billing/provider-keys";
import { AppError } from "@/server/errors";
import { vetProviderUrl } from "./address";
import { discoverModels } from "./discovery";
import { checkPrice } from "./prices";

/** What the browser may see of a provider: never the key, only its masked hint. */
export type ProviderView = {
  id: string;
  name: string;
  baseUrl: string;
  keyHint: string | null;
  localModel: string | null;
  models: Array<{ id: string; model: string; inputMicrosPerMTok: bigint | null; outputMicrosPerMTok: bigint | null }>;
};

export type ProviderInput = { name: string; baseUrl: string; apiKey?: string | null };

/** "sk-live-abc…wxyz": enough to recognise a key, never enough to use it. Short keys show only their end. */
export function maskProviderKey(key: string): string {
  return key.length >= 12 ? `${key.slice(0, 3)}…${key.slice(-4)}` : `…${key.slice(-2)}`;
}

function normaliseBaseUrl(raw: string): string {
  return raw.trim().replace(/\/+$/, "");
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 60) throw new AppError("bad_request:provider_name", "Give the provider a name of 1 to 60 characters.");
  return trimmed;
}

function checkKey(raw: string | null | undefined): string | null {
  const key = raw?.trim() ?? "";
  if (!key) return null;
  if (!/^\S{4,500}$/.test(key)) throw new AppError("bad_request:provider_key", "An API key has no spaces and is 4 to 500 characters long.");
  return key;
}

/**
 * Adds an OpenAI-compatible provider to a project: the base URL through the
 * address guard, its /v1/models listed (a server that cannot list them is
 * not added), the key encrypted like BYOK keys. Nothing is written unless
 * all of that worked; the models start unpriced (unusable until priced).
 */
export async function addProvider(db: Db, { projectId, by, input }: { projectId: string; by: string; input: ProviderInput }): Promise<ProviderView> {
  const name = checkName(input.name);
  const baseUrl = normaliseBaseUrl(input.baseUrl);
  const key = checkKey(input.apiKey);
  await vetProviderUrl(baseUrl);
  const taken = await db.$count(customProviders, and(eq(customProviders.projectId, projectId), eq(customProviders.name, name)));
  if (taken > 0) throw new AppError("conflict:provider_name", `This project already has a provider named "${name}". Pick another name.`);
  const models = await discoverModels(baseUrl, key);
  const id = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(customProviders)
      .values({ projectId, name, baseUrl, keyCiphertext: key ? encryptSecret(key) : null, keyHint: key ? maskProviderKey(key) : null, createdBy: by })
      .returning({ id: customProviders.id });
    if (!row) throw new Error("provider insert returned nothing");
    await tx.insert(customProviderModels).values(models.map((model) => ({ providerId: row.id, model })));
    return row.id;
  });
  return requireProvider(db, { projectId, providerId: id });
}

/** Lists the models again: new ones arrive unpriced, gone ones are removed (they can no longer answer), prices of the rest stay. */
export async function refreshProviderModels(db: Db, { projectId, providerId }: { projectId: string; providerId: string }): Promise<ProviderView> {
  const row = await providerRow(db, { projectId, providerId });
  await vetProviderUrl(row.baseUrl);
  const listed = await discoverModels(row.baseUrl, row.keyCiphertext ? decryptKey(row.keyCiphertext) : null);
  await db.transaction(async (tx) => {
    await tx.insert(customProviderModels).values(listed.map((model) => ({ providerId, model }))).onConflictDoNothing();
    await tx.delete(customProviderModels).where(and(eq(customProviderModels.providerId, providerId), sql`${customProviderModels.model} <> all(${sql.param(listed)}::text[])`));
    if (row.localModel && !listed.includes(row.localModel)) await tx.update(customProviders).set({ localModel: null, updatedAt: new Date() }).where(eq(customProviders.id, providerId));
  });
  return requireProvider(db, { projectId, providerId });
}

/**
 * The owner's prices for some of a provider's models, all or nothing: every
 * figure is checked (whole micro-USD, not negative, not absurd) before any is
 * written, and a model of another provider is simply not found.
 */
export async function setProviderPrices(
  db: Db,
  {
    projectId,
    providerId,
    prices,
  }: { projectId: string; providerId: string; prices: Array<{ modelId: string; inputMicrosPerMTok: bigint | number | string; outputMicrosPerMTok: bigint | number | string }> },
): Promise<ProviderView> {
  await providerRow(db, { projectId, providerId });
  const checked = prices.map((p) => ({
    modelId: p.modelId,
    input: checkPrice(p.inputMicrosPerMTok, "The input price"),
    output: checkPrice(p.outputMicrosPerMTok, "The output price"),
  }));
  if (checked.length === 0) return requireProvider(db, { projectId, providerId });
  const known = await db
    .select({ id: customProviderModels.id })
    .from(customProviderModels)
    .where(and(eq(customProviderModels.providerId, providerId), inArray(customProviderModels.id, checked.map((c) => c.modelId))));
  if (known.length !== new Set(checked.map((c) => c.modelId)).size) throw new AppError("not_found:provider_model", "One of these models is not listed by this provider any more. Reload the page.");
  await db.transaction(async (tx) => {
    for (const c of checked) {
      await tx
        .update(customProviderModels)
        .set({ inputMicrosPerMTok: c.input, outputMicrosPerMTok: c.output, updatedAt: new Date() })
        .where(and(eq(customProviderModels.id, c.modelId), eq(customProviderModels.providerId, providerId)));
    }
  });
  return requireProvider(db, { projectId, providerId });
}

/** Makes one priced model of a provider the project's local tier (null: back to the server's local tier). */
export async function setLocalTierProvider(db: Db, { projectId, modelId }: { projectId: string; modelId: string | null }): Promise<{ modelId: string | null }> {
  if (modelId === null) {
    await db.update(customProviders).set({ localModel: null, updatedAt: new Date() }).where(eq(customProviders.projectId, projectId));
    return { modelId: null };
  }
  const [row] = await db
    .select({ providerId: customProviders.id, model: customProviderModels.model, input: customProviderModels.inputMicrosPerMTok })
    .from(customProviderModels)
    .innerJoin(customProviders, eq(customProviders.id, customProviderModels.providerId))
    .where(and(eq(customProviderModels.id, modelId), eq(customProviders.projectId, projectId)));
  if (!row) throw new AppError("not_found:provider_model", "This model is not listed by any provider of this project.");
  if (row.input === null) throw new AppError("bad_request:provider_model", `Enter a price for ${row.model} first: every call is metered, the local tier's too.`);
  await db.transaction(async (tx) => {
    await tx.update(customProviders).set({ localModel: null, updatedAt: new Date() }).where(eq(customProviders.projectId, projectId));
    await tx.update(customProviders).set({ localModel: row.model, updatedAt: new Date() }).where(eq(customProviders.id, row.providerId));
  });
  return { modelId };
}

export async function removeProvider(db: Db, { projectId, providerId }: { projectId: string; providerId: string }): Promise<void> {
  const removed = await db
    .delete(customProviders)
    .where(and(eq(customProviders.id, providerId), eq(customProviders.projectId, projectId)))
    .returning({ id: customProviders.id });
  if (removed.length === 0) throw new AppError("not_found:provider", "This provider does not exist in this project (it may have been removed).");
}

export async function listProviders(db: Db, projectId: string): Promise<ProviderView[]> {
  const rows = await db
    .select({
      id: customProviders.id,
      name: customProviders.name,
      baseUrl: customProviders.baseUrl,
      keyHint: customProviders.keyHint,
      localModel: customProviders.localModel,
      modelId: customProviderModels.id,
      model: customProviderModels.model,
      input: customProviderModels.inputMicrosPerMTok,
      output: customProviderModels.outputMicrosPerMTok,
    })
    .from(customProviders)
    .leftJoin(customProviderModels, eq(customProviderModels.providerId, customProviders.id))
    .where(eq(customProviders.projectId, projectId))
    .orderBy(asc(customProviders.name), asc(customProviderModels.model));
  const views = new Map<string, ProviderView>();
  for (const r of rows) {
    const view = views.get(r.id) ?? { id: r.id, name: r.name, baseUrl: r.baseUrl, keyHint: r.keyHint, localModel: r.localModel, models: [] };
    views.set(r.id, view);
    if (r.modelId && r.model) view.models.push({ id: r.modelId, model: r.model, inputMicrosPerMTok: r.input, outputMicrosPerMTok: r.output });
  }
  return [...views.values()];
}

async function requireProvider(db: Db, { projectId, providerId }: { projectId: string; providerId: string }): Promise<ProviderView> {
  const view = (await listProviders(db, projectId)).find((p) => p.id === providerId);
  if (!view) throw new AppError("not_found:provider", "This provider does not exist in this project (it may have been removed).");
  return view;
}

async function providerRow(db: Db, { projectId, providerId }: { projectId: string; providerId: string }) {
  const [row] = await db
    .select()
    .from(customProviders)
    .where(and(eq(customProviders.id, providerId), eq(customProviders.projectId, projectId)));
  if (!row) throw new AppError("not_found:provider", "This provider does not exist in this project (it may have been removed).");
  return row;
}

/** A saved provider key's plaintext, for the call only; a message when the server can no longer read it. */
export function decryptKey(ciphertext: string): string {
  try {
    return decryptSecret(ciphertext);
  } catch {
    throw new AppError("bad_request:provider_key", "This provider's saved key can no longer be decrypted (the server's ENCRYPTION_KEY changed). Remove the provider and add it again.");
  }
}
