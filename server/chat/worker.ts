import "server-only";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { registerBootTask, registerWorker } from "@/server/boot";
import { getEnv } from "@/server/env";
import { recoverInterruptedStreams } from "./stream/recover";

registerBootTask("model prices", ensureModelPrices);

/**
 * On the embedded database nothing else can be writing, so every stream left
 * running at start-up was cut off by a crash. On shared Postgres another
 * instance may still be writing one: only streams idle for a while count, and
 * a worker keeps sweeping for instances that died later.
 */
const sharedDatabase = () => Boolean(getEnv().DATABASE_URL);
registerBootTask("interrupted chat streams", (db) => recoverInterruptedStreams(db, { idleMs: sharedDatabase() ? 120_000 : 0 }).then(() => {}));
registerWorker("stale chat streams", 60_000, (db) => recoverInterruptedStreams(db, { idleMs: 180_000 }).then(() => {}));
