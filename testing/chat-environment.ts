import { afterAll, beforeAll } from "vitest";
import type { Database } from "@/db/client";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { useFakeAnthropic } from "./chat-turns";
import { createTestDatabase } from "./database";
import type { FakeAnthropic } from "./fakes/anthropic";

/**
 * What a chat test file runs against: a fresh database with the model prices, and
 * the fake Anthropic upstream, opened before the file's tests and closed after
 * them. Both exist only once the tests run, so read them through the returned
 * object inside a test, not while the file loads.
 */
export function chatEnvironment(): { readonly database: Database; readonly fake: FakeAnthropic } {
  let database: Database | undefined;
  let fake: FakeAnthropic | undefined;
  beforeAll(async () => {
    fake = await useFakeAnthropic();
    database = await createTestDatabase();
    await ensureModelPrices(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await fake?.close();
  });
  return {
    get database() {
      if (!database) throw new Error("the chat environment opens in beforeAll; read it inside a test");
      return database;
    },
    get fake() {
      if (!fake) throw new Error("the chat environment opens in beforeAll; read it inside a test");
      return fake;
    },
  };
}
