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

export type ModelOption = { model: string; label: string; inputMicrosPerMTok: bigint; outputMicrosPerMTok: bigint; isDefault: boolean };

/**
 * What the composer's picker offers: the local tier (named for what answers
 * there: the local model or the vault responder), every cloud model priced in
 * model_prices and not deprecated, and Auto (the project's policy decides).
 */
export async function listModelChoices(db: Db): Promise<{ local: { model: string }; cloud: ModelOption[]; defaultCloudModel: string | null }> {
  const rows = await listCloudModels(db);
  const fallback = await defaultCloudModel(db).catch(() => null);
  return {
    local: { model: localModelConfigured() ? localModelName() : VAULT_RESPONDER_MODEL },
    cloud: rows.map((r) => ({
      model: r.model,
      label: r.label,
      inputMicrosPerMTok: r.inputMicrosPerMTok,
      outputMicrosPerMTok: r.outputMicrosPerMTok,
      isDefault: r.model === fallback,
    })),
    defaultCloudModel: fallback,
  };
}

/** A new chat that starts with the picker's choice (checked first, so a refused model makes no chat). */
export async function createChatWithChoice(
  db: Db,
  { projectId, by, title, choice, agentId }: { projectId: string; by: string; title?: string; choice?: ModelChoice; agentId?: string | null },
) {
  if (choice?.tier === "cloud") await assertUsableModel(db, choice.model);
  if (agentId) await requireLiveAgent(db, { projectId, agentId });
  return createChat(db, { projectId, by, title, modelChoice: choice ? encodeModelChoice(choice) : undefined, agentId });
}

/** Remembers the picker's choice on the chat (any editor; it is the chat's, so every member sees it). */
export async function setChatModelChoice(db: Db, { projectId, chatId, choice }: { projectId: string; chatId: string; choice: ModelChoice }): Promise<ModelChoice> {
  if (choice.tier === "cloud") await assertUsableModel(db, choice.model);
  const [row] = await db
    .update(chats)
    .set({ modelChoice: encodeModelChoice(choice) })
    .where(and(eq(chats.id, chatId), eq(chats.projectId, projectId)))
    .returning({ modelChoice: chats.modelChoice });
  if (!row) throw new AppError("not_found:chat", "This chat does not exist in this project (it may have been deleted).");
  return decodeModelChoice(row.modelChoice);
}
