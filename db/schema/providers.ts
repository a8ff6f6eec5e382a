import "server-only";
import { sql } from "drizzle-orm";
import { check, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, id, micros, updatedAt } from "./columns";
import { projects } from "./projects";

/**
 * The most an owner may enter as a price: USD 1,000 per million tokens (in
 * micro-USD), some ten times the dearest list price of any hosted model. A
 * larger figure is a typo (cents for dollars, an extra zero) that would make
 * every hold refuse; the service refuses it with words, the check backs it.
 */
export const MAX_PROVIDER_PRICE_MICROS_PER_MTOK = 1_000_000_000n;

/**
 * An OpenAI-compatible server a project's owner added (vLLM, llama.cpp,
 * Ollama, a hosted gateway): its base URL (vetted by the same address guard
 * as URL fetching), its key as AES-256-GCM ciphertext (only `keyHint`, a
 * masked form, ever leaves the server), and — when `localModel` is set — the
 * model that answers the project's local tier.
 */
export const customProviders = pgTable(
  "custom_providers",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** the API root including /v1, as OpenAI-compatible clients take it */
    baseUrl: text("base_url").notNull(),
    /** null: the server needs no key (a local vLLM or Ollama) */
    keyCiphertext: text("key_ciphertext"),
    keyHint: text("key_hint"),
    /** an upstream model id of this provider that answers the project's local tier; null = not the local tier */
    localModel: text("local_model"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // the project's provider list, and one name per project
    uniqueIndex("custom_providers_project_name_idx").on(t.projectId, t.name),
    // at most one provider answers a project's local tier
    uniqueIndex("custom_providers_local_idx").on(t.projectId).where(sql`${t.localModel} is not null`),
  ],
);
export type CustomProvider = typeof customProviders.$inferSelect;

/**
 * A model a provider listed at /v1/models, with the owner's prices (micro-USD
 * per million tokens) that meter it. Unpriced (null) models are listed but
 * cannot answer: nothing may be called that cannot be metered.
 */
export const customProviderModels = pgTable(
  "custom_provider_models",
  {
    id: id(),
    providerId: uuid("provider_id")
      .notNull()
      .references(() => customProviders.id, { onDelete: "cascade" }),
    /** the upstream id, exactly as /v1/models listed it */
    model: text("model").notNull(),
    inputMicrosPerMTok: micros("input_micros_per_mtok"),
    outputMicrosPerMTok: micros("output_micros_per_mtok"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // the provider's model list (by provider), one row per upstream id
    uniqueIndex("custom_provider_models_provider_model_idx").on(t.providerId, t.model),
    check(
      "custom_provider_models_price_check",
      sql`(${t.inputMicrosPerMTok} is null) = (${t.outputMicrosPerMTok} is null)
        and coalesce(${t.inputMicrosPerMTok}, 0) between 0 and ${sql.raw(String(MAX_PROVIDER_PRICE_MICROS_PER_MTOK))}
        and coalesce(${t.outputMicrosPerMTok}, 0) between 0 and ${sql.raw(String(MAX_PROVIDER_PRICE_MICROS_PER_MTOK))}`,
    ),
  ],
);
export type CustomProviderModel = typeof customProviderModels.$inferSelect;
