import "server-only";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { registerBootTask, registerWorker } from "@/server/boot";
import { getEnv } from "@/server/env";
import { PRODUCER_GONE_AFTER_MS } from "@/server/billing/expiry";
import { recoverInterruptedStreams } from "./stream/recover";

registerBootTask("model prices", ensureModelPrices);

/**
 * On the embedded database nothing else can be writing, so every stream left
 * running at start-up was cut off by a crash. On shared Postgres another
 * instance may still be writing one: only streams whose producer stopped
 * renewing their heartbeat count, and a worker keeps sweeping for instances
 * that died later.
 */
const sharedDatabase = () => Boolean(getEnv().DATABASE_URL);
registerBootTask("interrupted chat streams", (db) => recoverInterruptedStreams(db, { staleMs: sharedDatabase() ? PRODUCER_GONE_AFTER_MS : 0 }).then(() => {}));
registerWorker("stale chat streams", 60_000, (db) => recoverInterruptedStreams(db, { staleMs: PRODUCER_GONE_AFTER_MS }).then(() => {}));
