import "server-only";
import { type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import type { BillingAccount, BillingTier } from "@/db/schema";
import { flaggedDefaultModel } from "@/server/ai/model-prices";
import { getEnv } from "@/server/env";
import { AppError } from "@/server/errors";
import type { Payer } from "./accounts";
import type { PriceRates } from "./cost";

/** What a cloud hold depends on, read in one round trip (no locks) before the statement that places it. */
export type CloudHoldFacts = {
  payer: Payer;
  /** null when the payer has none yet */
  account: Pick<BillingAccount, "tier" | "periodStart"> | null;
  /** the payer's saved Anthropic key, still encrypted */
  keyCiphertext: string | null;
  /** the model asked for, or null = the default */
  model: string | null;
  /** that model's price; null when unknown (or when the default is not a flagged row) */
  price: (PriceRates & { model: string }) | null;
  /** the model's label when an operator retired it (model_prices.deprecated): no new call may use it */
  retiredLabel: string | null;
  /** a cloud call can be made at all: the platform key is set or the payer saved their own */
  cloudConfigured: boolean;
  /** the payer verified their email address: only then does the Free plan's allowance pay for cloud calls */
  payerVerified: boolean;
};

/**
 * The hold facts of a project's payer as one JSON value: a scalar subquery,
 * so a query that reads something else anyway (POST /api/chat's access check)
 * gets them in the same round trip. `ownerId` is the project's owner column,
 * `wanted` the model asked for (null = the flagged default). Plain SQL: this
 * is on the path to the first token, where query building is CPU that delays it.
 */
export function cloudHoldFactsSql(ownerId: SQL, wanted: SQL): SQL {
  return sql`(select json_build_object(
      'payerId', o.id, 'ownerEmail', o.email, 'ownerName', o.name, 'verified', o.email_verified_at is not null,
      'tier', a.tier, 'periodStart', a.period_start, 'keyCiphertext', k.ciphertext, 'wanted', w.model,
      'model', mp.model, 'inputMicrosPerMTok', mp.input_micros_per_mtok::text, 'outputMicrosPerMTok', mp.output_micros_per_mtok::text,
      'retiredLabel', case when mp.deprecated <> 0 then mp.label end)
    from users o
    cross join (select ${wanted}::text as model) w
    left join billing_accounts a on a.user_id = o.id
    left join provider_keys k on k.user_id = o.id and k.provider = 'anthropic'
    left join model_prices mp on mp.model = coalesce(w.model, ${flaggedDefaultModel()})
    where o.id = ${ownerId})`;
}

type FactsJson = {
  payerId: string;
  ownerEmail: string;
  ownerName: string | null;
  verified: boolean;
  tier: BillingTier | null;
  periodStart: string | null;
  keyCiphertext: string | null;
  wanted: string | null;
  model: string | null;
  inputMicrosPerMTok: string | null;
  outputMicrosPerMTok: string | null;
  retiredLabel: string | null;
};

/** The facts from cloudHoldFactsSql's JSON (null = the project does not exist). */
export function cloudHoldFactsFrom(value: unknown): CloudHoldFacts {
  if (!value) throw new AppError("not_found:project", "This project does not exist.");
  const f = (typeof value === "string" ? JSON.parse(value) : value) as FactsJson;
  return {
    payer: { payerId: f.payerId, ownerEmail: f.ownerEmail, ownerName: f.ownerName },
    account: f.tier && f.periodStart ? { tier: f.tier, periodStart: new Date(f.periodStart) } : null,
    keyCiphertext: f.keyCiphertext,
    model: f.wanted,
    price:
      f.model && f.inputMicrosPerMTok !== null && f.outputMicrosPerMTok !== null
        ? { model: f.model, inputMicrosPerMTok: BigInt(f.inputMicrosPerMTok), outputMicrosPerMTok: BigInt(f.outputMicrosPerMTok) }
        : null,
    retiredLabel: f.retiredLabel ?? null,
    cloudConfigured: Boolean(getEnv().ANTHROPIC_API_KEY) || f.keyCiphertext !== null,
    payerVerified: f.verified === true,
  };
}

/** The model a cloud call wants before the project's and the server's defaults (ANTHROPIC_MODEL) apply; SQL for cloudHoldFactsSql. */
export function wantedModelSql(model: string | null, projectDefault: SQL): SQL {
  return sql`coalesce(${model}::text, ${projectDefault}, ${getEnv().ANTHROPIC_MODEL ?? null}::text)`;
}

/** The facts on their own; `model` null = the project's, then the server's default. */
export async function readCloudHoldFacts(db: Db, { projectId, model }: { projectId: string; model: string | null }): Promise<CloudHoldFacts> {
  const [row] = await queryRows<{ facts: unknown }>(
    db,
    sql`select ${cloudHoldFactsSql(sql`p.owner_id`, wantedModelSql(model, sql`p.settings->>'defaultCloudModel'`))} as facts from projects p where p.id = ${projectId}`,
  );
  return cloudHoldFactsFrom(row?.facts);
}
