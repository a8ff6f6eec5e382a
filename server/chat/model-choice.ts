import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chats, modelPrices } from "@/db/schema";
import { decodeModelChoice, encodeModelChoice, type ModelChoice } from "@/lib/model-choice";
import { localModelConfigured, localModelName } from "@/server/ai/local-model";
import { defaultCloudModel, listCloudModels } from "@/server/ai/model-prices";
import { VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import { AppError } from "@/server/errors";
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

/**
 * A cloud model a turn may use: priced in model_prices (so it can be metered)
 * and not deprecated by an operator. Clear words for each, before anything is written.
 */
export async function assertUsableModel(db: Db, model: string): Promise<void> {
  const [row] = await db.select({ deprecated: modelPrices.deprecated, label: modelPrices.label }).from(modelPrices).where(eq(modelPrices.model, model)).limit(1);
  if (!row) throw new AppError("not_found:model", `There is no model "${model}" in Arbor's price list, so it cannot be used or metered. Pick one of the models listed.`);
  if (row.deprecated) throw new AppError("bad_request:model", `${row.label} has been retired by the operator and can no longer be used. Pick another model.`);
}

/** A new chat that starts with the picker's choice (checked first, so a refused model makes no chat). */
export async function createChatWithChoice(db: Db, { projectId, by, title, choice }: { projectId: string; by: string; title?: string; choice?: ModelChoice }) {
  if (choice?.tier === "cloud") await assertUsableModel(db, choice.model);
  return createChat(db, { projectId, by, title, modelChoice: choice ? encodeModelChoice(choice) : undefined });
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
