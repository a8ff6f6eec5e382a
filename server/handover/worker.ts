import "server-only";
import { registerWorker } from "@/server/boot";
import { expireHandovers } from "./expire";

// Reads and accepts expire lazily too; this keeps the owner's panel honest without a visit.
registerWorker("handover-expiry", 5 * 60_000, async (db) => {
  await expireHandovers(db);
});
