import "server-only";
import { desc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { billingIncidents } from "@/db/schema";
import { runningUnderVitest } from "@/server/env";

type Incident = typeof billingIncidents.$inferInsert;

const holder = globalThis as typeof globalThis & { __arborBillingIncidents?: Incident[] };

/**
 * Records something that must never happen to money — an upstream billed more
 * than its hold covered — where the operator sees it: a row in
 * billing_incidents (`select * from billing_incidents order by created_at desc`) and an error in
 * the log. Under Vitest the incident is also kept in memory, and the suite's
 * setup fails the test that caused it unless the test takes it on purpose.
 */
export async function recordIncident(db: Db, incident: Incident): Promise<void> {
  await db.insert(billingIncidents).values(incident);
  console.error(
    `[arbor] BILLING INCIDENT ${incident.kind}: request ${incident.requestId} charged ${incident.chargedMicros} micro-USD against a hold of ${incident.heldMicros}`,
    incident.detail ?? {},
  );
  if (runningUnderVitest()) (holder.__arborBillingIncidents ??= []).push(incident);
}

/** The incidents recorded in this test process since the last call (tests that provoke one on purpose take it here). */
export function takeRecordedIncidents(): Incident[] {
  const taken = holder.__arborBillingIncidents ?? [];
  holder.__arborBillingIncidents = [];
  return taken;
}

export async function listIncidents(db: Db, { limit = 100 }: { limit?: number } = {}) {
  return db.select().from(billingIncidents).orderBy(desc(billingIncidents.createdAt)).limit(limit);
}
