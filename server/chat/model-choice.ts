import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chats } from "@/db/schema";
import { decodeModelChoice, encodeModelChoice, type ModelChoice } from "@/lib/model-choice";
import { localModelConfigured, localModelName } from "@/server/ai/local-model";
import { defaultCloudModel, listCloudModels } from "@/server/ai/model-prices";
import { VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import { AppError } from "@/server/errors";
import { assertUsableModel } from "@/server/ai/usable-model";
import { requireLiveAgent } from "@/server/agents/agents";
import { createChat } from "./chats";
import { listPricedProviderModels, localTierProviderTarget } from "@/server/providers/models";

export type ModelOption = {
  model: string;
  label: string;
  inputMicrosPerMTok: bigint;
  outputMicrosPerMTok: bigint;
  isDefault: boolean;
  /** the project's own provider that serves it (priced by the owner); absent for model_prices rows */
  provider?: string;
};

/**
 * What the composer's picker offers: the local tier (named for what answers
 * there: the local model or the vault responder), every cloud model priced in
 * model_prices and not deprecated, every priced model of the project's own
 * providers, and Auto (the project's policy decides).
 */
export async function listModelChoices(db: Db, projectId: string): Promise<{ local: { model: string }; cloud: ModelOption[]; defaultCloudModel: string | null }> {
  const [rows, fallback, own, localProvider] = await Promise.all([
    listCloudModels(db),
    defaultCloudModel(db).catch(() => null),
    listPricedProviderModels(db, projectId),
    localTierProviderTarget(db, projectId),
  ]);
  return {
    local: { model: localProvider ? `${localProvider.providerName} · ${localProvider.model}` : localModelConfigured() ? localModelName() : VAULT_RESPONDER_MODEL },
    cloud: [
      ...rows.map((r) => ({
        model: r.model,
        label: r.label,
        inputMicrosPerMTok: r.inputMicrosPerMTok,
        outputMicrosPerMTok: r.outputMicrosPerMTok,
        isDefault: r.model === fallback,
      })),
      ...own.map((m) => ({
        model: m.key,
        label: `${m.providerName} · ${m.model}`,
        inputMicrosPerMTok: m.inputMicrosPerMTok,
        outputMicrosPerMTok: m.outputMicrosPerMTok,
        isDefault: false,
        provider: m.providerName,
      })),
    ],
    defaultCloudModel: fallback,
  };
}

/** A new chat that starts with the picker's choice (checked first, so a refused model makes no chat). */
export async function createChatWithChoice(
  db: Db,
  { projectId, by, title, choice, agentId }: { projectId: string; by: string; title?: string; choice?: ModelChoice; agentId?: string | null },
) {
  if (choice?.tier === "cloud") await assertUsableModel(db, choice.model, projectId);
  if (agentId) await requireLiveAgent(db, { projectId, agentId });
  return createChat(db, { projectId, by, title, modelChoice: choice ? encodeModelChoice(choice) : undefined, agentId });
}

/** Remembers the picker's choice on the chat (any editor; it is the chat's, so every member sees it). */
export async function setChatModelChoice(db: Db, { projectId, chatId, choice }: { projectId: string; chatId: string; choice: ModelChoice }): Promise<ModelChoice> {
  if (choice.tier === "cloud") await assertUsableModel(db, choice.model, projectId);
  const [row] = await db
    .update(chats)
    .set({ modelChoice: encodeModelChoice(choice) })
    .where(and(eq(chats.id, chatId), eq(chats.projectId, projectId)))
    .returning({ modelChoice: chats.modelChoice });
  if (!row) throw new AppError("not_found:chat", "This chat does not exist in this project (it may have been deleted).");
  return decodeModelChoice(row.modelChoice);
}
