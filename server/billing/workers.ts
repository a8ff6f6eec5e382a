import "server-only";
import { registerWorker } from "@/server/boot";
import { expireReservations } from "./expiry";
import { reportUsageToStripe } from "./meter";
import { retryStripeEvents } from "./webhook";

registerWorker("billing:expire-reservations", 60_000, async (db) => {
  await expireReservations(db);
});
registerWorker("billing:stripe-event-retry", 15_000, async (db) => {
  await retryStripeEvents(db);
});
registerWorker("billing:meter-report", 30_000, async (db) => {
  await reportUsageToStripe(db);
});
