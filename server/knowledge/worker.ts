import "server-only";
import { registerWorker } from "@/server/boot";
import { processPendingSources } from "./process";

// Uploads also kick processing at once (kickProcessing); this loop picks up the rest: link fetches, retries, crashed leases.
registerWorker("knowledge-processing", 5_000, async (db) => {
  await processPendingSources(db);
});
