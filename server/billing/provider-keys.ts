import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import Anthropic, { APIConnectionError, APIError } from "@anthropic-ai/sdk";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { providerKeys, securityEvents } from "@/db/schema";
import { getEnv } from "@/server/env";
import { AppError } from "@/server/errors";

const VERSION = "v1";

function key(): Buffer {
  return Buffer.from(getEnv().ENCRYPTION_KEY, "hex");
}

/** AES-256-GCM with a random 96-bit IV; the auth tag makes a tampered row fail to decrypt instead of yielding garbage. */
export function encryptSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64"), cipher.getAuthTag().toString("base64"), body.toString("base64")].join(":");
}

export function decryptSecret(stored: string): string {
  const [version, iv, tag, body] = stored.split(":");
  if (version !== VERSION || !iv || !tag || !body) throw new Error("unrecognised ciphertext format");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
}

/** "sk-ant-api03-…" → "sk-ant-…WXYZ": enough to recognise the key, never enough to use it. */
export function maskKey(apiKey: string): string {
  const prefix = apiKey.startsWith("sk-ant-") ? "sk-ant-" : apiKey.slice(0, 3);
  return `${prefix}…${apiKey.slice(-4)}`;
}

/**
 * One cheap authenticated call (listing one model costs nothing) through the
 * official SDK, so ANTHROPIC_BASE_URL is honoured exactly as for chat calls.
 */
export async function validateAnthropicKey(apiKey: string): Promise<void> {
  const client = new Anthropic({ apiKey, baseURL: getEnv().ANTHROPIC_BASE_URL ?? null, maxRetries: 1, timeout: 15_000 });
  try {
    await client.models.list({ limit: 1 });
  } catch (error) {
    if (error instanceof APIConnectionError) {
      throw new AppError("unavailable:anthropic", "Arbor could not reach Anthropic to check the key. Please try again in a minute.");
    }
    if (error instanceof APIError && (error.status === 401 || error.status === 403)) {
      throw new AppError("bad_request:byok_key", "Anthropic did not accept this key. Copy it again from console.anthropic.com → API keys and make sure it is active.");
    }
    if (error instanceof APIError) {
      throw new AppError("bad_request:byok_key", `Anthropic answered ${error.status ?? "an error"} while checking the key. Check the key and try again.`);
    }
    throw error;
  }
}

export async function saveProviderKey(db: Db, userId: string, apiKey: string): Promise<{ hint: string }> {
  const trimmed = apiKey.trim();
  if (!/^\S{20,300}$/.test(trimmed)) {
    throw new AppError("bad_request:byok_key", "That does not look like an Anthropic API key (they start with sk-ant- and have no spaces).");
  }
  await validateAnthropicKey(trimmed);
  const hint = maskKey(trimmed);
  const ciphertext = encryptSecret(trimmed);
  await db.transaction(async (tx) => {
    await tx
      .insert(providerKeys)
      .values({ userId, provider: "anthropic", ciphertext, hint })
      .onConflictDoUpdate({ target: [providerKeys.userId, providerKeys.provider], set: { ciphertext, hint, createdAt: new Date() } });
    await tx.insert(securityEvents).values({ userId, kind: "key_added", detail: { provider: "anthropic", hint } });
  });
  return { hint };
}

export async function removeProviderKey(db: Db, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const removed = await tx
      .delete(providerKeys)
      .where(and(eq(providerKeys.userId, userId), eq(providerKeys.provider, "anthropic")))
      .returning({ hint: providerKeys.hint });
    if (removed[0]) await tx.insert(securityEvents).values({ userId, kind: "key_removed", detail: { provider: "anthropic", hint: removed[0].hint } });
  });
}

export async function providerKeyHint(db: Db, userId: string): Promise<string | null> {
  const [row] = await db
    .select({ hint: providerKeys.hint })
    .from(providerKeys)
    .where(and(eq(providerKeys.userId, userId), eq(providerKeys.provider, "anthropic")))
    .limit(1);
  return row?.hint ?? null;
}

/** The decrypted key, for the model call only; never returned to a client. */
export async function loadProviderKey(db: Db, userId: string): Promise<string | null> {
  const [row] = await db
    .select({ ciphertext: providerKeys.ciphertext })
    .from(providerKeys)
    .where(and(eq(providerKeys.userId, userId), eq(providerKeys.provider, "anthropic")))
    .limit(1);
  return row ? decryptProviderKey(row.ciphertext) : null;
}

/** A saved key's plaintext, or a message saying how to fix a key the server can no longer read. */
export function decryptProviderKey(ciphertext: string): string {
  try {
    return decryptSecret(ciphertext);
  } catch {
    throw new AppError("bad_request:byok_key", "Your saved Anthropic key can no longer be decrypted (the server's ENCRYPTION_KEY changed). Remove it and add it again on the Billing page.");
  }
}
