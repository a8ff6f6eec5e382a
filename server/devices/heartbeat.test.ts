import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { devices, deviceVitals, securityEvents } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { ageDevice, pairTestDevice, vitalsBody } from "@/testing/devices";
import { makeUser } from "@/testing/fixtures";
import { authenticateDevice } from "./authenticate";
import { listDevices, removeDevice } from "./devices";
import { HEARTBEAT_RULE, recordHeartbeat } from "./heartbeat";
import { downsampleVitals, vitalsSeries } from "./vitals";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
const seconds = (n: number) => new Date(Date.now() + n * 1000);

/** The device's stored state: what a refused heartbeat must leave untouched. */
async function snapshot(deviceId: string) {
  const [device] = await database.db.select().from(devices).where(eq(devices.id, deviceId));
  const vitals = await database.db.select().from(deviceVitals).where(eq(deviceVitals.deviceId, deviceId));
  return { device, vitals };
}

describe("heartbeats", () => {
  it("records vitals and tunnel statistics and answers a HeartbeatAck", async () => {
    const person = await makeUser(database.db);
    const { identity } = await pairTestDevice(database.db, { userId: person.id });
    const ack = await recordHeartbeat(database.db, identity, {
      ...vitalsBody({ device_id: identity.deviceId }),
      rtt_ms: 12,
      tunnel: {
        state: "connected",
        stats: { total_bytes_sent: 10, total_bytes_received: 20, heartbeats_sent: 3, heartbeats_acked: 2, requests_sent: 1, requests_succeeded: 1, requests_failed: 0, reconnections: 0, avg_latency_ms: 11 },
      },
    });
    expect(ack).toMatchObject({ latency_ms: 12, pending_messages: 0, server_status: { status: "healthy" } });
    expect(Math.abs(new Date(ack.server_time).getTime() - Date.now())).toBeLessThan(5000);
    const [listed] = await listDevices(database.db, { userId: person.id });
    expect(listed?.vitals).toMatchObject({ cpu: 0.25, memory: 0.5, gpu: 0.3, gpuTemp: 55, vram: 0.4, loadedModel: "llama3.2:3b" });
    expect(listed?.stats).toMatchObject({ heartbeatsSent: 3, avgLatencyMs: 11 });
    // the tunnel itself was never opened: heartbeats alone mean "reconnecting", not "connected"
    expect(listed?.state.kind).toBe("reconnecting");
    const series = await vitalsSeries(database.db, { userId: person.id, deviceId: identity.deviceId, range: "1h" });
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ cpu: 0.25, gpu: expect.closeTo(0.3, 5) });
  });

  it("refuses bad vitals with a clear 400 and changes nothing", async () => {
    const person = await makeUser(database.db);
    const { identity } = await pairTestDevice(database.db, { userId: person.id });
    const earlier = seconds(-60);
    await recordHeartbeat(database.db, identity, vitalsBody({}, earlier));
    const before = await snapshot(identity.deviceId);
    const cases: Array<[unknown, string]> = [
      [vitalsBody({ cpu_usage: 1.5 }), "bad_request:vitals"],
      [vitalsBody({ memory_usage: -0.1 }), "bad_request:vitals"],
      [vitalsBody({ gpu_usage: 2 }), "bad_request:vitals"],
      [vitalsBody({ gpu_temp_celsius: 900 }), "bad_request:vitals"],
      [vitalsBody({ active_sessions: 1.5 }), "bad_request:vitals"],
      [vitalsBody({ disk_usage: "half" }), "bad_request:vitals"],
      [vitalsBody({ timestamp: "yesterday" }), "bad_request:vitals"],
      [{ vitals: null }, "bad_request:vitals"],
      ["not an object", "bad_request:vitals"],
      [vitalsBody({}, seconds(120)), "bad_request:vitals_timestamp"],
      [vitalsBody({}, seconds(-2 * 3600)), "bad_request:vitals_timestamp"],
      [vitalsBody({}, earlier), "conflict:vitals_duplicate"],
    ];
    for (const [body, code] of cases) expect(await outcome(recordHeartbeat(database.db, identity, body)), JSON.stringify(body)).toBe(code);
    const after = await snapshot(identity.deviceId);
    expect(after).toEqual(before);
  });

  it("refuses vitals naming another person's device, records it for the owner, and changes neither device", async () => {
    const mallory = await makeUser(database.db);
    const alice = await makeUser(database.db);
    const theirs = await pairTestDevice(database.db, { userId: alice.id });
    const mine = await pairTestDevice(database.db, { userId: mallory.id });
    const before = [await snapshot(theirs.deviceId), await snapshot(mine.deviceId)];
    expect(await outcome(recordHeartbeat(database.db, mine.identity, vitalsBody({ device_id: theirs.deviceId })))).toBe("forbidden:device");
    expect([await snapshot(theirs.deviceId), await snapshot(mine.deviceId)]).toEqual(before);
    const events = await database.db.select().from(securityEvents).where(eq(securityEvents.userId, mallory.id));
    expect(events.find((e) => e.kind === "device_refused")?.detail).toMatchObject({ reason: "device_id_mismatch", claimed: theirs.deviceId });
    // and alice's own token is hers alone
    expect(await listDevices(database.db, { userId: mallory.id })).toHaveLength(1);
  });

  it("refuses unknown and revoked tokens, logging the revoked one's use for its owner", async () => {
    const person = await makeUser(database.db);
    const { deviceId, token } = await pairTestDevice(database.db, { userId: person.id });
    await removeDevice(database.db, { userId: person.id, deviceId });
    const headers = (t: string) => new Headers({ authorization: `Bearer ${t}`, "x-forwarded-for": "10.99.0.1" });
    expect(await outcome(authenticateDevice(database.db, headers(token)))).toBe("unauthorized:device_revoked");
    expect(await outcome(authenticateDevice(database.db, headers(`arbor_dev_${"Z".repeat(40)}`)))).toBe("unauthorized:device_token");
    const events = await database.db.select().from(securityEvents).where(eq(securityEvents.userId, person.id));
    expect(events.filter((e) => e.kind === "device_refused").map((e) => e.detail)).toEqual([expect.objectContaining({ reason: "revoked_token" })]);
  });

  it("answers a flood of heartbeats with 429, stores none of the flood, and logs it once", async () => {
    const person = await makeUser(database.db);
    const { identity } = await pairTestDevice(database.db, { userId: person.id });
    const results: string[] = [];
    for (let i = 0; i < HEARTBEAT_RULE.limit + 5; i++) results.push(await outcome(recordHeartbeat(database.db, identity, vitalsBody({}, seconds(-i)))));
    expect(results.slice(0, HEARTBEAT_RULE.limit).every((r) => r === "ok")).toBe(true);
    expect(results.slice(HEARTBEAT_RULE.limit)).toEqual(Array(5).fill("rate_limited:heartbeat"));
    const stored = await database.db.$count(deviceVitals, eq(deviceVitals.deviceId, identity.deviceId));
    expect(stored).toBe(HEARTBEAT_RULE.limit);
    const events = await database.db.select().from(securityEvents).where(eq(securityEvents.userId, person.id));
    expect(events.filter((e) => e.kind === "device_refused")).toHaveLength(1);
  });

  it("turns GPU load over the threshold into a prewarm, and clears it when the load falls", async () => {
    const person = await makeUser(database.db);
    const { identity } = await pairTestDevice(database.db, { userId: person.id });
    await recordHeartbeat(database.db, identity, vitalsBody({ gpu_usage: 0.97 }, seconds(-2)));
    let [listed] = await listDevices(database.db, { userId: person.id });
    expect(listed?.prewarm?.reason).toMatch(/GPU load 97 %/);
    await recordHeartbeat(database.db, identity, vitalsBody({ gpu_usage: 0.2 }, seconds(-1)));
    [listed] = await listDevices(database.db, { userId: person.id });
    expect(listed?.prewarm).toBeNull();
  });

  it("shows a silent device offline since its last heartbeat", async () => {
    const person = await makeUser(database.db);
    const { identity } = await pairTestDevice(database.db, { userId: person.id });
    await recordHeartbeat(database.db, identity, vitalsBody());
    await ageDevice(database.db, identity.deviceId, 600);
    const [listed] = await listDevices(database.db, { userId: person.id });
    expect(listed?.state.kind).toBe("offline");
  });

  it("downsamples raw vitals into five-minute averages and trims both by retention", async () => {
    const person = await makeUser(database.db);
    const { deviceId } = await pairTestDevice(database.db, { userId: person.id });
    // two readings in one finished bucket half an hour ago, one 25 hours ago, one 31-day-old average
    await database.db.execute(sql`insert into device_vitals (device_id, resolution, at, cpu, memory, disk) values
      (${deviceId}, 0, to_timestamp(floor(extract(epoch from now() - interval '30 minutes') / 300) * 300) + interval '10 seconds', 0.2, 0.4, 0.5),
      (${deviceId}, 0, to_timestamp(floor(extract(epoch from now() - interval '30 minutes') / 300) * 300) + interval '70 seconds', 0.4, 0.6, 0.5),
      (${deviceId}, 0, now() - interval '25 hours', 0.9, 0.9, 0.9),
      (${deviceId}, 300, now() - interval '31 days', 0.9, 0.9, 0.9)`);
    const first = await downsampleVitals(database.db);
    expect(first.deleted).toBe(2);
    const rows = await database.db.select().from(deviceVitals).where(eq(deviceVitals.deviceId, deviceId));
    const averaged = rows.filter((r) => r.resolution === 300);
    expect(averaged).toHaveLength(1);
    expect(averaged[0]).toMatchObject({ cpu: expect.closeTo(0.3, 5), memory: expect.closeTo(0.5, 5), samples: 2 });
    // running again (another instance, the next tick) changes nothing
    await downsampleVitals(database.db);
    expect(await database.db.$count(deviceVitals, eq(deviceVitals.deviceId, deviceId))).toBe(3);
    const week = await vitalsSeries(database.db, { userId: person.id, deviceId, range: "7d" });
    expect(week).toHaveLength(1);
    // someone else's device is not found
    const other = await makeUser(database.db);
    expect(await outcome(vitalsSeries(database.db, { userId: other.id, deviceId, range: "1h" }))).toBe("not_found:device");
  });
});
