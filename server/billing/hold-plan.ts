import "server-only";
import type { Db } from "@/db/client";
import type { BillingTier, KeySource } from "@/db/schema";
import { defaultCloudModel, getModelPrice } from "@/server/ai/model-prices";
import { AppError } from "@/server/errors";
import { ensureBillingAccount, type Payer } from "./accounts";
import { chargeFor, costBasisMicros, type PriceRates, periodStartFor } from "./cost";
import type { CloudHoldFacts } from "./hold-facts";
import { decryptProviderKey } from "./provider-keys";
import { isProviderModelKey, requireUsableProviderModel } from "@/server/providers/models";
import { decryptKey } from "@/server/providers/providers";

/** The most an upstream call can bill: every input token it can count and `max_tokens` of output. */
export type UsageBound = { tokensIn: number; tokensOut: number };

/**
 * A hold worked out and ready to place: who pays, how much, and the terms it
 * is settled on later (tier, whose key, the model's prices, the usage bound),
 * so what the account looks like at settle time cannot change the price.
 */
export type CloudHoldPlan = {
  projectId: string;
  actorId: string;
  requestId: string;
  /** the chat answer the call is for, so crash recovery finds what it produced */
  streamId: string | null;
  model: string;
  payer: Payer;
  billingTier: BillingTier;
  keySource: KeySource;
  price: PriceRates;
  bound: UsageBound;
  /** the charge of the whole bound at the tier: what the hold takes from the quota and the budget */
  amountMicros: bigint;
  /** decrypted BYOK key, or null = platform key */
  apiKey: string | null;
  /** a project's own OpenAI-compatible provider answers (keySource "provider"): where, and its key decrypted */
  provider: ProviderRoute | null;
};

/** Where a provider call goes: the owner's provider, its upstream model id, and its key (decrypted, null = none). */
export type ProviderRoute = { baseUrl: string; providerName: string; model: string; apiKey: string | null; bound: UsageBound };

/** The payer's tier changed between planning and placing the hold: plan again. */
export class TierChanged extends Error {}

/** The model a call will use once the defaults apply (the request it sends names it). */
export async function resolveCloudModel(db: Db, facts: CloudHoldFacts): Promise<string> {
  return facts.price?.model ?? facts.model ?? (await defaultCloudModel(db));
}

/** The hold for a call of `bound` at the payer's tier. Reads only when the facts were incomplete (a new month, a first call). */
export async function planCloudHold(
  db: Db,
  facts: CloudHoldFacts,
  args: { projectId: string; actorId: string; requestId: string; streamId: string | null; model: string; bound: UsageBound },
): Promise<CloudHoldPlan> {
  if (isProviderModelKey(args.model)) return planProviderHold(db, facts, args);
  if (facts.retiredLabel && facts.price?.model === args.model) {
    // the same words as the picker's (server/ai/usable-model.ts), for a request that names the model itself
    throw new AppError("bad_request:model", `${facts.retiredLabel} has been retired by the operator and can no longer be used. Pick another model.`);
  }
  const price = facts.price?.model === args.model ? facts.price : await getModelPrice(db, args.model);
  const bound = { tokensIn: wholeTokens(args.bound.tokensIn), tokensOut: wholeTokens(args.bound.tokensOut) };
  const costBound = costBasisMicros(price, bound.tokensIn, bound.tokensOut);
  const fresh = facts.account && facts.account.periodStart >= periodStartFor(new Date()) ? facts.account : null;
  const account = fresh ?? (await ensureBillingAccount(db, facts.payer.payerId));
  if (account.tier === "free" && !facts.payerVerified) throw unverifiedPayer(facts, args.actorId);
  const apiKey = account.tier === "byok" ? byokKey(facts, args.actorId) : null;
  return {
    projectId: args.projectId,
    actorId: args.actorId,
    requestId: args.requestId,
    streamId: args.streamId,
    model: args.model,
    payer: facts.payer,
    billingTier: account.tier,
    keySource: apiKey ? "byok" : "platform",
    price: { inputMicrosPerMTok: price.inputMicrosPerMTok, outputMicrosPerMTok: price.outputMicrosPerMTok },
    bound,
    amountMicros: chargeFor(account.tier, costBound).chargedMicros,
    apiKey,
    provider: null,
  };
}

/**
 * A hold for a project's own provider: at the owner's prices for that model,
 * on the acting member's quota. The owner pays the provider directly, so
 * Arbor bills nothing for it (no allowance, credits or invoice; docs/models.md),
 * and the Free plan's unverified-email rule, which guards the platform's
 * allowance, does not apply.
 */
async function planProviderHold(
  db: Db,
  facts: CloudHoldFacts,
  args: { projectId: string; actorId: string; requestId: string; streamId: string | null; model: string; bound: UsageBound },
): Promise<CloudHoldPlan> {
  const target = await requireUsableProviderModel(db, { projectId: args.projectId, key: args.model });
  const bound = { tokensIn: wholeTokens(args.bound.tokensIn), tokensOut: wholeTokens(args.bound.tokensOut) };
  const price = { inputMicrosPerMTok: target.inputMicrosPerMTok, outputMicrosPerMTok: target.outputMicrosPerMTok };
  const fresh = facts.account && facts.account.periodStart >= periodStartFor(new Date()) ? facts.account : null;
  const account = fresh ?? (await ensureBillingAccount(db, facts.payer.payerId));
  return {
    projectId: args.projectId,
    actorId: args.actorId,
    requestId: args.requestId,
    streamId: args.streamId,
    model: args.model,
    payer: facts.payer,
    billingTier: account.tier,
    keySource: "provider",
    price,
    bound,
    amountMicros: chargeFor(account.tier, costBasisMicros(price, bound.tokensIn, bound.tokensOut), "provider").chargedMicros,
    apiKey: null,
    provider: {
      baseUrl: target.baseUrl,
      providerName: target.providerName,
      model: target.model,
      apiKey: target.keyCiphertext ? decryptKey(target.keyCiphertext) : null,
      bound,
    },
  };
}

/**
 * The Free plan's allowance is spent on the platform's key, so an account
 * nobody has shown to own (scripted sign-ups) must not reach it: no free cloud
 * call before the payer's email is verified. The code tells the chat to offer
 * a new verification mail when the person asking is the payer.
 */
function unverifiedPayer(facts: CloudHoldFacts, actorId: string): AppError {
  if (actorId === facts.payer.payerId) {
    return new AppError(
      "forbidden:email_unverified",
      `Cloud answers on the Free plan start once your email address is verified, so that the free allowance goes to people, not scripts. Open the verification mail we sent to ${facts.payer.ownerEmail}, or send a new one. Local answers work meanwhile.`,
    );
  }
  return new AppError(
    "forbidden:owner_email_unverified",
    `This project's owner has not verified their email address yet, so the Free plan's cloud allowance cannot pay for this answer. Ask the owner (${facts.payer.ownerEmail}) to verify it. Local answers work meanwhile.`,
  );
}

const wholeTokens = (n: number) => Math.max(0, Math.ceil(n));

function byokKey(facts: CloudHoldFacts, actorId: string): string {
  if (facts.keyCiphertext) return decryptProviderKey(facts.keyCiphertext);
  throw new AppError(
    "payment_required:byok_key",
    actorId === facts.payer.payerId
      ? "Your plan is Bring your own key, but no Anthropic key is saved. Add your key on the Billing page."
      : `The project owner's plan is Bring your own key, but they have not saved an Anthropic key. Ask the owner (${facts.payer.ownerEmail}) to add one.`,
  );
}
