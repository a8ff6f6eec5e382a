import { afterAll, afterEach } from "vitest";

/**
 * A charge past its hold is recorded as a billing incident (server/billing/incidents.ts);
 * under Vitest it also fails the test during (or after) which it happened, unless the
 * test takes it on purpose with takeRecordedIncidents().
 */
const holder = globalThis as typeof globalThis & { __arborBillingIncidents?: Array<{ requestId: string; heldMicros: bigint; chargedMicros: bigint }> };

function failOnIncidents() {
  const incidents = holder.__arborBillingIncidents ?? [];
  holder.__arborBillingIncidents = [];
  if (incidents.length === 0) return;
  const lines = incidents.map((i) => `  ${i.requestId}: charged ${i.chargedMicros} against a hold of ${i.heldMicros} micro-USD`);
  throw new Error(`A billing incident was recorded: an upstream charge passed its hold.\n${lines.join("\n")}`);
}

afterEach(failOnIncidents);
afterAll(failOnIncidents);
